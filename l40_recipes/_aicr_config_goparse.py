"""The Go library parsers an AICRConfig's non-recipe sections go through, with their error texts.

`time.ParseDuration` (and `Duration.String`), `net/url.Parse` as far as an https endpoint needs,
the OCI reference grammar (distribution/reference) with the
registry and repository patterns upstream adds, and Kubernetes' DNS-1123 subdomain rule. Each
raises `GoError` carrying the library's own text; callers wrap it as upstream does.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final
from urllib.parse import unquote

from ._go_text import go_quote

__all__ = [
    "GoError",
    "dns1123_subdomain_errors",
    "go_duration",
    "go_duration_string",
    "go_url_parse",
    "oci_reference_check",
]


class GoError(ValueError):
    """A Go library's error, its text as Go prints it."""


# --- time -----------------------------------------------------------------------------------------

_UNITS: Final = {
    "ns": 1,
    "us": 1000,
    "µs": 1000,
    "μs": 1000,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
_MAX: Final = 1 << 63
_DIGITS: Final = "0123456789"


def _time_quote(text: str) -> str:
    out = ['"']
    for char in text:
        if ord(char) >= 0x80 or char < " ":
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogateescape"))
        else:
            out.append("\\" + char if char in '"\\' else char)
    return "".join(out) + '"'


def go_duration(text: str) -> int:
    """`time.ParseDuration`: nanoseconds, or GoError with Go's text."""

    def invalid(message: str = "invalid duration") -> GoError:
        return GoError(f"time: {message} {_time_quote(text)}")

    rest, negative, total = text, False, 0
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise invalid()
    while rest:
        if not (rest[0] == "." or "0" <= rest[0] <= "9"):
            raise invalid()
        whole_text = rest[: len(rest) - len(rest.lstrip(_DIGITS))]
        rest = rest[len(whole_text) :]
        whole = int(whole_text or "0")
        if whole > _MAX:
            raise invalid()
        fraction, scale, post = 0, 1.0, False
        if rest[:1] == ".":
            frac_text = rest[1 : len(rest) - len(rest[1:].lstrip(_DIGITS))]
            rest, post = rest[1 + len(frac_text) :], bool(frac_text)
            for char in frac_text:
                if fraction > (_MAX - 1) // 10 or fraction * 10 + int(char) > _MAX:
                    break
                fraction, scale = fraction * 10 + int(char), scale * 10
        if not whole_text and not post:
            raise invalid()
        unit_text = re.split(r"[.0-9]", rest, maxsplit=1)[0]
        if not unit_text:
            raise invalid("missing unit in duration")
        rest = rest[len(unit_text) :]
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise invalid(f"unknown unit {_time_quote(unit_text)} in duration")
        if whole > _MAX // unit:
            raise invalid()
        value = whole * unit
        if fraction > 0:
            value += int(float(fraction) * (float(unit) / scale))
            if value > _MAX:
                raise invalid()
        total += value
        if total > _MAX:
            raise invalid()
    if negative:
        return -total
    if total > _MAX - 1:
        raise invalid()
    return total


def go_duration_string(nanos: int) -> str:
    """`time.Duration.String`: `1h2m3.5s`, `1.5ms`, `0s`."""
    sign, value = ("-" if nanos < 0 else ""), abs(nanos)
    if value == 0:
        return "0s"
    if value < 10**9:
        for unit, size in (("ns", 1), ("µs", 1000), ("ms", 10**6)):
            if value < size * 1000:
                return sign + _fraction(value, size) + unit
    seconds = _fraction(value % (60 * 10**9), 10**9) + "s"
    minutes, hours = value // (60 * 10**9) % 60, value // (3600 * 10**9)
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if value >= 60 * 10**9:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _fraction(value: int, size: int) -> str:
    whole, part = divmod(value, size)
    if not part:
        return str(whole)
    digits = str(part).rjust(len(str(size)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


# --- net/url --------------------------------------------------------------------------------------


class GoUrl:
    """What `ValidateHTTPSURL` reads of a parsed URL."""

    def __init__(self, scheme: str, host: str, user: bool) -> None:
        self.scheme, self.host, self.user = scheme, host, user

    @property
    def hostname(self) -> str:
        """`URL.Hostname`: the host without its port and IPv6 brackets."""
        host = self.host
        if host.startswith("["):
            end = host.find("]")
            return host[1:end] if end >= 0 else host[1:]
        return host.rsplit(":", 1)[0] if ":" in host else host


def go_url_parse(raw: str) -> GoUrl:
    """`url.Parse` for an endpoint: its scheme (lower case), host and whether it has userinfo."""
    text, _, fragment = raw.partition("#")
    try:
        parsed = _parse_url(text)
    except GoError as err:
        raise GoError(f"parse {go_quote(text)}: {err}") from None
    try:
        _unescape(fragment, "fragment")
    except GoError as err:
        raise GoError(f"parse {go_quote(raw)}: {err}") from None
    return parsed


def _parse_url(text: str) -> GoUrl:
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        raise GoError("net/url: invalid control character in URL")
    scheme, rest = "", text
    match = re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|:", text)
    if match and match.group() == ":":
        raise GoError("missing protocol scheme")
    if match:
        scheme, rest = match.group()[:-1].lower(), text[match.end() :]
    rest = rest[:-1] if rest.endswith("?") and rest.count("?") == 1 else rest.split("?", 1)[0]
    if not rest.startswith("/"):
        if scheme:
            return GoUrl(scheme, "", user=False)
        if ":" in rest.split("/", 1)[0]:
            raise GoError("first path segment in URL cannot contain colon")
    host, user = "", False
    if rest.startswith("//") and (scheme or not rest.startswith("///")):
        authority, slash, path = rest[2:].partition("/")
        rest = slash + path
        userinfo, at, host = authority.rpartition("@")
        host = _parse_host(host)
        if at:
            if not re.fullmatch(r"[A-Za-z0-9\-._:~!$&'()*+,;=%@]*", userinfo):
                raise GoError("net/url: invalid userinfo")
            for part in userinfo.split(":", 1):
                _unescape(part, "user")
            user = True
    _unescape(rest, "path")
    return GoUrl(scheme, host, user=user)


def _parse_host(host: str) -> str:
    bracket = host.rfind("[")
    if bracket > 0:
        raise GoError("invalid IP-literal")
    if bracket == 0:
        close = host.rfind("]")
        if close < 0:
            raise GoError("missing ']' in host")
        port = host[close + 1 :]
        if not re.fullmatch(r"(:[0-9]*)?", port):
            raise GoError(f"invalid port {go_quote(port)} after host")
        address = host[1:close].split("%25", 1)[0]
        _unescape(address, "host")
        try:
            parsed = ipaddress.ip_address(unquote(address))
        except ValueError:
            # netip's reason varies with the fault; this is its reason for text that is no address
            raise GoError(f"invalid host: ParseAddr({go_quote(address)}): unable to parse IP") from None
        if parsed.version == 4:
            raise GoError("invalid IP-literal")
        return unquote(host)
    if ":" in host:
        port = host[host.index(":") :]
        if not re.fullmatch(r":[0-9]*", port):
            raise GoError(f"invalid port {go_quote(port)} after host")
    _unescape(host, "host")
    return unquote(host)


_HOST_OK: Final = frozenset("-_.~!$&'()*+,;=:[]<>\"")


def _unescape(text: str, mode: str) -> None:
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            escape = text[index : index + 3]
            if not re.fullmatch(r"%[0-9A-Fa-f]{2}", escape):
                raise GoError(f"invalid URL escape {go_quote(escape)}")
            if mode == "host" and int(escape[1], 16) < 8 and escape != "%25":
                raise GoError(f"invalid URL escape {go_quote(escape)}")
            index += 3
            continue
        if mode == "host" and ord(char) < 0x80 and not char.isalnum() and char not in _HOST_OK:
            raise GoError(f"invalid character {go_quote(char)} in host name")
        index += 1


# --- OCI references, DNS names --------------------------------------------------------------------

_ALNUM: Final = r"[a-z0-9]+"
_SEPARATOR: Final = r"(?:[._]|__|[-]+)"
_DOMAIN_PART: Final = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST: Final = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN: Final = rf"{_HOST}(?::[0-9]+)?"
_PATH: Final = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*(?:/{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*)*"
_DIGEST: Final = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}"
_REFERENCE: Final = re.compile(rf"((?:{_DOMAIN}/)?{_PATH})(?::([\w][\w.-]{{0,127}}))?(?:@({_DIGEST}))?", re.ASCII)
_NAME: Final = re.compile(rf"(?:({_DOMAIN})/)?({_PATH})", re.ASCII)
_DIGEST_SIZES: Final = {"sha256": 64, "sha384": 96, "sha512": 128}
_REGISTRY: Final = re.compile(
    r"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:[0-9]+)?"
)
_REPOSITORY: Final = re.compile(r"[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*")


def oci_reference_check(reference: str) -> None:
    """`reference.ParseNormalizedNamed` then upstream's registry/repository patterns; GoError if refused.

    The error's text is the library's; whether upstream wraps it (`invalid OCI reference`) is said by
    the message: the two pattern checks are upstream's own messages, not wrapped.
    """
    if re.fullmatch(r"[a-f0-9]{64}", reference):
        raise GoError(f"invalid repository name ({reference}), cannot specify 64-byte hexadecimal strings")
    domain, remainder = _split_domain(reference)
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        raise GoError(f"invalid reference format: repository name ({remote}) must be lowercase")
    full = f"{domain}/{remainder}"
    match = _REFERENCE.fullmatch(full)
    if match is None:
        if _REFERENCE.fullmatch(full.lower()):
            raise GoError("repository name must be lowercase")
        raise GoError("invalid reference format")
    name = _NAME.fullmatch(match.group(1))
    path = name.group(2) if name else match.group(1)
    if len(path) > 255:
        raise GoError("repository name must not be more than 255 characters")
    digest = match.group(3)
    if digest:
        algorithm, _, encoded = digest.partition(":")
        size = _DIGEST_SIZES.get(algorithm)
        if size is None:
            raise GoError("unsupported digest algorithm")
        if len(encoded) != size:
            raise GoError("invalid checksum digest length")
        if not re.fullmatch(r"[a-f0-9]+", encoded):
            raise GoError("invalid checksum digest format")
    registry = name.group(1) if name and name.group(1) else ""
    registry = registry.removeprefix("https://").removeprefix("http://")
    if not _REGISTRY.fullmatch(registry):
        raise GoError(f"!invalid registry host format '{registry}': must be a valid hostname with optional port")
    if not _REPOSITORY.fullmatch(path):
        raise GoError(
            f"!invalid repository format '{path}': must be lowercase alphanumeric with optional separators "
            "(., _, -) and path segments"
        )


def _split_domain(name: str) -> tuple[str, str]:
    domain, slash, remote = name.partition("/")
    if not slash:
        return "docker.io", "library/" + name
    if domain == "localhost" or any(char in domain for char in ".:") or domain.lower() != domain:
        if domain == "index.docker.io":
            domain = "docker.io"
    else:
        domain, remote = "docker.io", name
    if domain == "docker.io" and "/" not in remote:
        remote = "library/" + remote
    return domain, remote


_LABEL: Final = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_SUBDOMAIN_FORMAT: Final = rf"{_LABEL}(\.{_LABEL})*"
_SUBDOMAIN: Final = re.compile(rf"{_LABEL}(\.{_LABEL})*")


def dns1123_subdomain_errors(value: str) -> list[str]:
    """Kubernetes' `IsDNS1123Subdomain`: its complaints about *value*, none when it is one."""
    errors = []
    if len(value) > 253:
        errors.append("must be no more than 253 characters")
    if not _SUBDOMAIN.fullmatch(value):
        errors.append(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
            "and must start and end with an alphanumeric character (e.g. 'example.com', "
            f"regex used for validation is '{_SUBDOMAIN_FORMAT}')"
        )
    return errors
