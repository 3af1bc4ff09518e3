"""Go values a snapshot reading can hold before it becomes a reading, and the text Go's `%v` prints for them.

yaml.v3 decodes a reading into `interface{}`: nil, bool, int, uint64 (past int64), float64,
string (a `!!binary` one is its bytes), `time.Time` (a timestamp), `[]interface{}`,
`map[string]interface{}` or, when a key is not a string, `map[interface{}]interface{}`.
Upstream keeps a bool, number or string as it is and turns anything else into its `%v` text.
`%v` sorts map keys as Go's `fmt` does: by value within a type, and across the key types of a
`map[interface{}]interface{}` in the order aicr 9793720d's binary was seen to print them (nil,
string, uint64, int, float64, bool, time.Time: fmt compares type descriptors by address).
"""

from __future__ import annotations

import calendar
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Final

from ._go_text import go_v

__all__ = ["GoMap", "GoTime", "go_key", "go_percent_v", "parse_go_timestamp"]

_TIMESTAMP: Final = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[Tt ]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?(Z|[-+][0-9]{2}:[0-9]{2})?)?\Z"
)
_INT64_MAX: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class GoTime:
    """A `time.Time` as yaml.v3 parses a timestamp: wall clock, nanoseconds, and a zone offset (None: UTC)."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanos: int
    offset: int | None

    def _unix(self) -> int | None:
        if self.year < 1:
            return None
        wall = calendar.timegm((self.year, self.month, self.day, self.hour, self.minute, self.second, 0, 0, 0))
        return wall - (self.offset or 0)

    def sort_key(self) -> tuple[int, int]:
        """Fmt compares a `time.Time` field by field: nanoseconds (in `wall`) before seconds (`ext`)."""
        return self.nanos, self._unix() or 0

    def text(self) -> str:
        """`Time.String()`: `2001-12-14 21:59:43.1 -0500 -0500`, `... +0000 UTC`."""
        fraction = f".{self.nanos:09d}".rstrip("0") if self.nanos else ""
        clock = f"{self.year:04d}-{self.month:02d}-{self.day:02d} {self.hour:02d}:{self.minute:02d}:{self.second:02d}"
        if self.offset is None:
            return f"{clock}{fraction} +0000 UTC"
        sign = "-" if self.offset < 0 else "+"
        minutes = abs(self.offset) // 60
        shown = f"{sign}{minutes // 60:02d}{minutes % 60:02d}"
        unix = self._unix()
        if unix is not None:
            # Go's time.Parse names the zone after the process's local zone when the offsets agree.
            local = time.localtime(unix)
            if local.tm_gmtoff == self.offset:
                return f"{clock}{fraction} {shown} {local.tm_zone}"
        return f"{clock}{fraction} {shown} {shown}"


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_go_timestamp(text: str) -> GoTime | None:
    """yaml.v3's timestamp forms as Go's `time.Parse` reads them (year 0 included), or None."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if hour is None:
        hour = minute = second = "0"
    elif (text[len(text) - len(text.lstrip("0123456789-"))] == " ") == (zone is not None):
        return None  # `T` needs a zone (`Z07:00`), the space-separated form takes none
    numbers = [int(part) for part in (year, month, day, hour, minute, second)]
    if not 1 <= numbers[1] <= 12 or not 1 <= numbers[2] <= _days_in_month(numbers[0], numbers[1]):
        return None
    if numbers[3] > 23 or numbers[4] > 59 or numbers[5] > 59:
        return None
    nanos = int((fraction or "0")[:9].ljust(9, "0"))
    offset: int | None = None
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = (hours * 3600 + minutes * 60) * (-1 if zone[0] == "-" else 1)
    return GoTime(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], nanos, offset)


class GoMap(dict[Any, Any]):
    """A `map[interface{}]interface{}`: keys are `(rank, value)` pairs, the rank being the key's Go type."""


#: Rank of each key type in a `map[interface{}]interface{}` as the binary printed them.
RANK_NIL, RANK_STRING, RANK_UINT64, RANK_INT, RANK_FLOAT, RANK_BOOL, RANK_TIME = range(7)


def go_key(value: Any) -> tuple[int, Any]:
    """The `(rank, value)` pair a decoded scalar keys a `GoMap` with."""
    if value is None:
        return RANK_NIL, None
    if isinstance(value, bool):
        return RANK_BOOL, value
    if isinstance(value, int):
        return (RANK_UINT64 if value > _INT64_MAX else RANK_INT), value
    if isinstance(value, float):
        return RANK_FLOAT, value
    if isinstance(value, GoTime):
        return RANK_TIME, value
    return RANK_STRING, value


def _order(key: tuple[int, Any]) -> tuple[Any, ...]:
    rank, value = key
    if rank == RANK_STRING:
        return rank, value.encode("utf-8", "surrogateescape")
    if rank == RANK_FLOAT:
        return (rank, 0, 0.0) if math.isnan(value) else (rank, 1, value)
    if rank == RANK_TIME:
        return rank, value.sort_key()
    return rank, value or 0


def go_percent_v(value: Any) -> str:
    """`fmt.Sprintf("%v")` of a decoded `interface{}`."""
    if value is None:
        return "<nil>"
    if isinstance(value, str):
        return value
    if isinstance(value, GoTime):
        return value.text()
    if isinstance(value, bool | int | float):
        return go_v(value)
    if isinstance(value, list):
        return "[" + " ".join(go_percent_v(item) for item in value) + "]"
    if isinstance(value, GoMap):
        entries = [(go_percent_v(key[1]), item, _order(key)) for key, item in value.items()]
        entries.sort(key=lambda entry: entry[2])
    else:
        entries = [(key, item, key.encode("utf-8", "surrogateescape")) for key, item in value.items()]
        entries.sort(key=lambda entry: entry[2])
    return "map[" + " ".join(f"{key}:{go_percent_v(item)}" for key, item, _ in entries) + "]"
