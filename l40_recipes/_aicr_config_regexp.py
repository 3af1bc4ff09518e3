r"""Go's `regexp/syntax` as far as a certificate-identity pattern needs: its syntax errors, in Go's words.

Go's RE2 grammar differs from Python's `re` (no backreferences or lookaround, `\z`, `\Q...\E`, a
repeat count limit of 1000, stacked repetition is an error): a pattern is walked here as Go's
parser walks it, and the first error is raised with Go's text. Also says whether the pattern is a
top-level alternation, which upstream refuses.
"""

from __future__ import annotations

import re
from typing import Final

from ._aicr_config_goparse import GoError

__all__ = ["go_regexp_check"]

_OCTAL: Final = re.compile(r"[0-7]*")

#: The class names Go's `\p{...}` knows: general categories, then scripts (Go 1.27's unicode tables).
_UNICODE_CLASSES: Final = frozenset(
    [
        "Any",
        "Assigned",
        "ASCII",
        "C",
        "Cc",
        "Cf",
        "Cn",
        "Co",
        "Cs",
        "L",
        "LC",
        "Ll",
        "Lm",
        "Lo",
        "Lt",
        "Lu",
        "M",
        "Mc",
        "Me",
        "Mn",
        "N",
        "Nd",
        "Nl",
        "No",
        "P",
        "Pc",
        "Pd",
        "Pe",
        "Pf",
        "Pi",
        "Po",
        "Ps",
        "S",
        "Sc",
        "Sk",
        "Sm",
        "So",
        "Z",
        "Zl",
        "Zp",
        "Zs",
        "Adlam",
        "Ahom",
        "Anatolian_Hieroglyphs",
        "Arabic",
        "Armenian",
        "Avestan",
        "Balinese",
        "Bamum",
        "Bassa_Vah",
        "Batak",
        "Bengali",
        "Beria_Erfe",
        "Bhaiksuki",
        "Bopomofo",
        "Brahmi",
        "Braille",
        "Buginese",
        "Buhid",
        "Canadian_Aboriginal",
        "Carian",
        "Caucasian_Albanian",
        "Chakma",
        "Cham",
        "Cherokee",
        "Chorasmian",
        "Common",
        "Coptic",
        "Cuneiform",
        "Cypriot",
        "Cypro_Minoan",
        "Cyrillic",
        "Deseret",
        "Devanagari",
        "Dives_Akuru",
        "Dogra",
        "Duployan",
        "Egyptian_Hieroglyphs",
        "Elbasan",
        "Elymaic",
        "Ethiopic",
        "Garay",
        "Georgian",
        "Glagolitic",
        "Gothic",
        "Grantha",
        "Greek",
        "Gujarati",
        "Gunjala_Gondi",
        "Gurmukhi",
        "Gurung_Khema",
        "Han",
        "Hangul",
        "Hanifi_Rohingya",
        "Hanunoo",
        "Hatran",
        "Hebrew",
        "Hiragana",
        "Imperial_Aramaic",
        "Inherited",
        "Inscriptional_Pahlavi",
        "Inscriptional_Parthian",
        "Javanese",
        "Kaithi",
        "Kannada",
        "Katakana",
        "Kawi",
        "Kayah_Li",
        "Kharoshthi",
        "Khitan_Small_Script",
        "Khmer",
        "Khojki",
        "Khudawadi",
        "Kirat_Rai",
        "Lao",
        "Latin",
        "Lepcha",
        "Limbu",
        "Linear_A",
        "Linear_B",
        "Lisu",
        "Lycian",
        "Lydian",
        "Mahajani",
        "Makasar",
        "Malayalam",
        "Mandaic",
        "Manichaean",
        "Marchen",
        "Masaram_Gondi",
        "Medefaidrin",
        "Meetei_Mayek",
        "Mende_Kikakui",
        "Meroitic_Cursive",
        "Meroitic_Hieroglyphs",
        "Miao",
        "Modi",
        "Mongolian",
        "Mro",
        "Multani",
        "Myanmar",
        "Nabataean",
        "Nag_Mundari",
        "Nandinagari",
        "New_Tai_Lue",
        "Newa",
        "Nko",
        "Nushu",
        "Nyiakeng_Puachue_Hmong",
        "Ogham",
        "Ol_Chiki",
        "Ol_Onal",
        "Old_Hungarian",
        "Old_Italic",
        "Old_North_Arabian",
        "Old_Permic",
        "Old_Persian",
        "Old_Sogdian",
        "Old_South_Arabian",
        "Old_Turkic",
        "Old_Uyghur",
        "Oriya",
        "Osage",
        "Osmanya",
        "Pahawh_Hmong",
        "Palmyrene",
        "Pau_Cin_Hau",
        "Phags_Pa",
        "Phoenician",
        "Psalter_Pahlavi",
        "Rejang",
        "Runic",
        "Samaritan",
        "Saurashtra",
        "Sharada",
        "Shavian",
        "Siddham",
        "Sidetic",
        "SignWriting",
        "Sinhala",
        "Sogdian",
        "Sora_Sompeng",
        "Soyombo",
        "Sundanese",
        "Sunuwar",
        "Syloti_Nagri",
        "Syriac",
        "Tagalog",
        "Tagbanwa",
        "Tai_Le",
        "Tai_Tham",
        "Tai_Viet",
        "Tai_Yo",
        "Takri",
        "Tamil",
        "Tangsa",
        "Tangut",
        "Telugu",
        "Thaana",
        "Thai",
        "Tibetan",
        "Tifinagh",
        "Tirhuta",
        "Todhri",
        "Tolong_Siki",
        "Toto",
        "Tulu_Tigalari",
        "Ugaritic",
        "Vai",
        "Vithkuqi",
        "Wancho",
        "Warang_Citi",
        "Yezidi",
        "Yi",
        "Zanabazar_Square",
    ]
)


def _octal(pattern: str, start: int, end: int) -> str:
    match = _OCTAL.match(pattern, start, end)
    return match.group() if match else ""


_PERL_CLASSES: Final = frozenset("dDsSwW")
_CLASS_ESCAPES: Final = frozenset(("d", "D", "s", "S", "w", "W", "p", "P"))
_ESCAPES_OK: Final = frozenset("afnrtvbBAz") | _PERL_CLASSES
_REPEAT: Final = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")


def _regexp_error(code: str, expr: str) -> GoError:
    return GoError(f"error parsing regexp: {code}: `{expr}`")


def go_regexp_check(pattern: str) -> bool:
    """Raise GoError for a pattern Go's `regexp.Compile` refuses (its common syntax errors).

    Returns:
        Whether the whole pattern is a top-level alternation (a `|` outside every group and class).
    """
    depth, index, last_repeat, can_repeat = 0, 0, -1, False
    branches = [0]
    while index < len(pattern):
        char = pattern[index]
        start = index
        if char == "\\":
            index = _escape_end(pattern, index)
            can_repeat, last_repeat = True, -1
            continue
        if char == "[":
            index = _class_end(pattern, index)
            can_repeat, last_repeat = True, -1
            continue
        bounds = _REPEAT.match(pattern, index) if char == "{" else None
        if char in "*+?" or bounds:
            end = bounds.end() if bounds else index + 1
            if end < len(pattern) and pattern[end] == "?":
                end += 1
            if last_repeat >= 0:
                raise _regexp_error("invalid nested repetition operator", pattern[last_repeat:end])
            if not can_repeat:
                raise _regexp_error("missing argument to repetition operator", pattern[start:end])
            if bounds:
                low, high = int(bounds.group(1)), bounds.group(3)
                if low > 1000 or (high and (int(high) > 1000 or int(high) < low)):
                    raise _regexp_error("invalid repeat count", pattern[start:end])
            last_repeat, index = start, end
            continue
        last_repeat = -1
        if char == "(":
            index, opens = _group_start(pattern, index)
            depth += opens
            can_repeat = False
            continue
        if char == ")":
            if depth == 0:
                raise _regexp_error("unexpected )", pattern)
            depth -= 1
            can_repeat = True
        elif char == "|":
            if depth == 0:
                branches.append(index + 1)
            can_repeat = False
        else:
            can_repeat = True
        index += 1
    if depth:
        raise _regexp_error("missing closing )", pattern)
    if len(branches) == 1:
        return False
    # Go's parser factors a prefix common to every branch out of the alternation (`ab|ac` is
    # `a(?:b|c)`), so only branches that do not all begin with one literal stay top-level.
    firsts = {_leading_literal(pattern, start) for start in branches}
    return len(firsts) != 1 or None in firsts


def _leading_literal(pattern: str, start: int) -> str | None:
    """The literal character a branch starting at *start* begins with, or None."""
    match = re.match(r"(\\[^A-Za-z0-9]|[^\\.\[\](){}*+?^$|])([*+?{]?)", pattern[start:])
    if not match or match.group(2):
        return None
    return match.group(1)[-1]


def _escape_end(pattern: str, index: int) -> int:
    """The index after the escape at *index* (a backslash), or GoError for one Go refuses."""
    if index + 1 >= len(pattern):
        raise _regexp_error("trailing backslash at end of expression", "")
    char = pattern[index + 1]
    if char == "Q":
        end = pattern.find("\\E", index + 2)
        return len(pattern) if end < 0 else end + 2
    if char in "pP":
        match = re.match(r"\\[pP](?:\{\^?([^}]*)\}|(.))", pattern[index:])
        name = (match.group(1) or match.group(2)) if match else None
        if match is None or name not in _UNICODE_CLASSES:
            end = pattern.find("}", index) + 1 if pattern[index + 2 : index + 3] == "{" else index + 3
            raise _regexp_error("invalid character class range", pattern[index : end or len(pattern)])
        return index + match.end()
    if char in _ESCAPES_OK or char == "0" or (ord(char) < 0x80 and not char.isalnum()):
        if char == "0":
            return index + 2 + len(_octal(pattern, index + 2, index + 4))
        return index + 2
    if "1" <= char <= "7" and index + 2 < len(pattern) and "0" <= pattern[index + 2] <= "7":
        return index + 3 + len(_octal(pattern, index + 3, index + 4))
    if char == "x":
        return _hex_escape_end(pattern, index)
    raise _regexp_error("invalid escape sequence", pattern[index : index + 2])


def _hex_escape_end(pattern: str, index: int) -> int:
    r"""`\xHH` or `\x{H...}`; Go's error quotes the escape up to the character that broke it."""
    position = index + 2
    braced = pattern[position : position + 1] == "{"
    position += braced
    digits = 0
    while position < len(pattern):
        char = pattern[position]
        if braced and char == "}" and digits:
            return position + 1
        if char not in "0123456789abcdefABCDEF":
            break
        digits += 1
        position += 1
        if not braced and digits == 2:
            return position
    raise _regexp_error("invalid escape sequence", pattern[index : position + 1])


def _class_end(pattern: str, index: int) -> int:
    """The index after the character class opening at *index*, or GoError."""
    position = index + 1
    if pattern[position : position + 1] == "^":
        position += 1
    first = True
    while position < len(pattern) and (pattern[position] != "]" or first):
        first = False
        named = re.match(r"\[:\^?[a-z]*:\]", pattern[position:])
        if named:
            if named.group().strip("[]:^") not in _POSIX | _POSIX_MORE:
                raise _regexp_error("invalid character class range", named.group())
            position += named.end()
            continue
        low, position = _class_char(pattern, position, index)
        if pattern[position : position + 1] == "-" and pattern[position + 1 : position + 2] not in ("]", ""):
            high, after = _class_char(pattern, position + 1, index, high=True)
            if high < low:
                raise _regexp_error("invalid character class range", pattern[position - len(low) : after])
            position = after
    if position >= len(pattern):
        raise _regexp_error("missing closing ]", pattern[index:])
    return position + 1


_POSIX: Final = frozenset(("alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph"))
_POSIX_MORE: Final = frozenset(("lower", "print", "punct", "space", "upper", "word", "xdigit"))


def _class_char(pattern: str, position: int, start: int, *, high: bool = False) -> tuple[str, int]:
    if position >= len(pattern):
        raise _regexp_error("missing closing ]", pattern[start:])
    if pattern[position] == "\\":
        if high and pattern[position + 1 : position + 2] in _CLASS_ESCAPES:
            raise _regexp_error("invalid escape sequence", pattern[position : position + 2])
        end = _escape_end(pattern, position)
        return pattern[position:end], end
    return pattern[position], position + 1


def _group_start(pattern: str, index: int) -> tuple[int, int]:
    """The index after a group's opening at *index*, and 1 (a group opened) or 0 (flags only)."""
    if not pattern.startswith("(?", index):
        return index + 1, 1
    if pattern.startswith(("(?P<", "(?<"), index):
        close = pattern.find(">", index)
        if close < 0:
            raise _regexp_error("invalid named capture", pattern[index:])
        name = pattern[pattern.index("<", index) + 1 : close]
        if not re.fullmatch(r"\w+", name):
            raise _regexp_error("invalid named capture", pattern[index : close + 1])
        return close + 1, 1
    flags = re.match(r"\(\?(-?[imsU]+|[imsU]+-[imsU]*)?([:)])", pattern[index:])
    if not flags:
        raise _regexp_error("invalid or unsupported Perl syntax", pattern[index : index + 3])
    return index + flags.end(), 1 if flags.group(2) == ":" else 0
