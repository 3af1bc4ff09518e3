"""An AICRConfig's sections other than `spec.recipe`, validated as upstream's loader validates them.

`aicr recipe --config` loads the whole document, so a `spec.snapshot`, `spec.bundle`,
`spec.validate` or `spec.verify` that upstream refuses fails the recipe command too, with
upstream's message. Nothing here is used beyond that check: the values are only validated.
"""

from __future__ import annotations

import posixpath
import re
import warnings
from typing import Any, Final

from ._aicr_config_goparse import (
    GoError,
    dns1123_subdomain_errors,
    go_duration,
    go_duration_string,
    go_url_parse,
    oci_reference_check,
)
from ._aicr_config_regexp import go_regexp_check
from ._errors import ErrorCode, RecipeError
from ._go_text import go_quote, go_trim_space
from ._scalars import TypedText

__all__ = ["check_handoff", "go_int", "go_string", "validate_section"]

_DEPLOYERS: Final = ("argocd", "argocd-helm", "flux", "helm", "helmfile")
_PHASES: Final = ("deployment", "performance", "conformance", "all")
_TRUST_LEVELS: Final = ("unknown", "unverified", "attested", "verified")
_EFFECTS: Final = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_SAFE_SEGMENT: Final = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9._-]*")
_IDENTITY_PREFIX: Final = "https://github.com/NVIDIA/aicr/"
_IDENTITY_PREFIX_ESCAPED: Final = r"https://github\.com/NVIDIA/aicr/"
_CANARIES: Final = (
    "https://github.com/evil/aicr/.github/workflows/on-tag.yaml@refs/tags/v1.0.0",
    "https://github.com/NVIDIA/other-repo/.github/workflows/on-tag.yaml@refs/tags/v1.0.0",
    "https://github.com/NVIDIA/aicr-lookalike/.github/workflows/on-tag.yaml@refs/tags/v1.0.0",
    "https://github.com/attacker/repo/.github/workflows/pwn.yaml@refs/heads/main",
    "https://gitlab.com/NVIDIA/aicr/.github/workflows/on-tag.yaml@refs/tags/v1.0.0",
    "",
)


def _invalid(message: str, cause: BaseException | None = None) -> RecipeError:
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST, cause=cause)


def go_string(value: Any) -> str:
    """A decoded scalar as the Go string field holds it (`""` when absent)."""
    return "" if value is None else str.__str__(value) if isinstance(value, str) else str(value)


def go_int(value: Any) -> int:
    """A decoded number as the Go int field holds it (0 when absent)."""
    if value is None:
        return 0
    return int(value.value if isinstance(value, TypedText) else value)


def _part(node: Any, key: str) -> dict[str, Any] | None:
    """A sub-struct: None when absent or null (a nil pointer), else its fields."""
    value = node.get(key) if isinstance(node, dict) else None
    if value is None:
        return None
    return value if isinstance(value, dict) else {}


def _strings(node: dict[str, Any], key: str) -> list[str] | None:
    value = node.get(key)
    return None if value is None else [go_string(item) for item in value]


def validate_section(name: str, section: dict[str, Any]) -> None:
    """Validate `spec.<name>` (snapshot, bundle, validate or verify) as upstream does.

    Raises:
        RecipeError: upstream's INVALID_REQUEST error for the first value it refuses.
    """
    {"snapshot": _snapshot, "bundle": _bundle, "validate": _validate, "verify": _verify}[name](section)


def check_handoff(spec: dict[str, Any]) -> None:
    """`spec.recipe.output.path` and `spec.bundle.input.recipe`, when both are set, name one file."""
    output = go_string((_part(_part(spec, "recipe"), "output") or {}).get("path"))
    recipe = go_string((_part(_part(spec, "bundle"), "input") or {}).get("recipe"))
    if output and recipe and _clean(output) != _clean(recipe):
        raise _invalid(
            f"spec.recipe.output.path ({go_quote(output)}) and spec.bundle.input.recipe ({go_quote(recipe)}) "
            "must reference the same file when both are set"
        )


def _clean(path: str) -> str:
    """Go's `filepath.Clean` (POSIX keeps a leading `//`; Go does not)."""
    cleaned = posixpath.normpath(path)
    return cleaned[1:] if cleaned.startswith("//") else cleaned


# --- spec.snapshot ---------------------------------------------------------------------------------


def _agent_tolerations(section: dict[str, Any], name: str) -> None:
    """`spec.<name>.agent.tolerations`, parsed as upstream parses a `--toleration` flag."""
    agent = _part(section, "agent")
    if agent is not None:
        tolerations = _strings(agent, "tolerations")
        if tolerations:
            _wrap(f"invalid spec.{name}.agent.tolerations", _tolerations, tolerations)


def _snapshot(section: dict[str, Any]) -> None:
    _agent_tolerations(section, "snapshot")
    execution = _part(section, "execution")
    if execution is not None:
        most = go_int(execution.get("maxNodesPerEntry"))
        if most < 0:
            raise _invalid(f"spec.snapshot.execution.maxNodesPerEntry must be >= 0, got {most}")
        _timeout("spec.snapshot.execution.timeout", go_string(execution.get("timeout")))
    output_format = go_string((_part(section, "output") or {}).get("format"))
    if output_format and output_format not in ("yaml", "json", "table"):
        raise _invalid(f"invalid spec.snapshot.output.format {go_quote(output_format)} (valid: yaml, json, table)")


def _timeout(field: str, text: str) -> None:
    if not text:
        return
    try:
        nanos = go_duration(text)
    except GoError as err:
        raise _invalid(f"invalid {field}", err) from None
    if nanos < 0:
        raise _invalid(f"{field} must be >= 0, got {go_duration_string(nanos)}")


def _wrap(message: str, check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except (RecipeError, GoError) as err:
        raise _invalid(message, err) from None


def _taint_parts(text: str) -> tuple[str, str]:
    parts = text.split(":")
    if len(parts) != 2:
        raise _invalid(f"invalid format {go_quote(text)}, expected key=value:effect or key:effect")
    return parts[0].split("=", 1)[0], parts[1]


def _effect(effect: str) -> None:
    if effect not in _EFFECTS:
        inner = _invalid(
            f"invalid taint effect {go_quote(effect)}, expected NoSchedule, PreferNoSchedule, or NoExecute"
        )
        raise _invalid("invalid taint effect", inner)


def _tolerations(tolerations: list[str]) -> None:
    for text in tolerations:
        if text != "*":
            _effect(_taint_parts(text)[1])


def _taint(text: str) -> None:
    if not text:
        raise _invalid("taint string cannot be empty")
    key, effect = _taint_parts(text)
    if not key:
        raise _invalid(f"invalid format {go_quote(text)}, key cannot be empty")
    _effect(effect)


# --- spec.bundle -----------------------------------------------------------------------------------


def _bundle(section: dict[str, Any]) -> None:
    target = go_string((_part(section, "output") or {}).get("target"))
    if target.startswith("oci://"):
        _wrap("invalid spec.bundle.output.target", _oci_target, target.removeprefix("oci://"))
    deployment = _part(section, "deployment")
    if deployment is not None:
        _deployment(deployment)
    scheduling = _part(section, "scheduling")
    if scheduling is not None:
        _scheduling(scheduling)
    attestation = _part(section, "attestation")
    if attestation is not None:
        for key in ("fulcioURL", "rekorURL"):
            _https_url(f"spec.bundle.attestation.{key}", go_string(attestation.get(key)))


def _oci_target(reference: str) -> None:
    try:
        oci_reference_check(reference)
    except GoError as err:
        text = str(err)
        if text.startswith("!"):
            raise _invalid(text[1:]) from None
        raise _invalid("invalid OCI reference", err) from None


def _deployment(deployment: dict[str, Any]) -> None:
    deployer = go_string(deployment.get("deployer"))
    if deployer and go_trim_space(deployer).lower() not in _DEPLOYERS:
        inner = _invalid(f"invalid deployer type {go_quote(deployer)}: must be one of [{' '.join(_DEPLOYERS)}]")
        raise _invalid("invalid spec.bundle.deployment.deployer", inner)
    overrides = _strings(deployment, "set")
    if overrides is not None:
        _wrap("invalid spec.bundle.deployment.set", _component_paths, overrides, True)
    dynamic = _strings(deployment, "dynamic")
    if dynamic is not None:
        _wrap("invalid spec.bundle.deployment.dynamic", _component_paths, dynamic, False)
    app_name = go_string(deployment.get("appName"))
    problems = dns1123_subdomain_errors(app_name) if app_name else []
    if problems:
        inner = _invalid(f"invalid app name {go_quote(app_name)}: must be a DNS-1123 subdomain ({'; '.join(problems)})")
        raise _invalid("invalid spec.bundle.deployment.appName", inner)


def _component_paths(entries: list[str], with_value: bool) -> None:
    for entry in entries:
        component, colon, rest = entry.partition(":")
        if not colon:
            raise _invalid(f"invalid format {go_quote(entry)}: expected 'component:path' or 'component:path=value'")
        path, equals, value = rest.partition("=")
        if not component or not path:
            raise _invalid(f"invalid format {go_quote(entry)}: component and path cannot be empty")
        if equals and not value:
            raise _invalid(f"invalid format {go_quote(entry)}: value cannot be empty")
        for segment in path.split("."):
            if not _SAFE_SEGMENT.fullmatch(segment):
                raise _invalid(
                    f"invalid path segment {go_quote(segment)} in {go_quote(entry)}: must contain only "
                    "alphanumeric, dot, hyphen, or underscore characters"
                )
        if with_value and not equals:
            raise _invalid(f"invalid format {go_quote(entry)}: --set requires 'bundler:path=value'")
        if not with_value and equals:
            raise _invalid(f"invalid format {go_quote(entry)}: dynamic declaration does not accept '=value'")


def _scheduling(scheduling: dict[str, Any]) -> None:
    nodes = go_int(scheduling.get("nodes"))
    if nodes < 0:
        raise _invalid(f"spec.bundle.scheduling.nodes must be >= 0, got {nodes}")
    for key in ("systemNodeTolerations", "acceleratedNodeTolerations"):
        tolerations = _strings(scheduling, key)
        if tolerations:
            _wrap(f"invalid spec.bundle.scheduling.{key}", _tolerations, tolerations)
    gate = go_string(scheduling.get("workloadGate"))
    if gate:
        _wrap("invalid spec.bundle.scheduling.workloadGate", _taint, gate)


def _https_url(label: str, raw: str) -> None:
    if not raw:
        return
    try:
        url = go_url_parse(raw)
    except GoError as err:
        raise _invalid(f"invalid {label} {go_quote(raw)}", err) from None
    if url.scheme != "https" or not url.hostname or url.user:
        raise _invalid(
            f"invalid {label} {go_quote(raw)}: must be an absolute https:// URL with a hostname "
            "and without embedded credentials"
        )


# --- spec.validate, spec.verify ---------------------------------------------------------------------


def _validate(section: dict[str, Any]) -> None:
    _agent_tolerations(section, "validate")
    execution = _part(section, "execution")
    if execution is not None:
        for phase in _strings(execution, "phases") or []:
            if phase not in _PHASES:
                raise _invalid(
                    f"invalid spec.validate.execution.phases entry {go_quote(phase)}: "
                    f"must be one of: {', '.join(_PHASES)}"
                )
        _timeout("spec.validate.execution.timeout", go_string(execution.get("timeout")))


def _verify(section: dict[str, Any]) -> None:
    from ._versions import parse_constraint  # noqa: PLC0415

    policy = _part(section, "policy")
    if policy is not None:
        level = go_string(policy.get("minTrustLevel"))
        if level and level != "max" and go_trim_space(level).lower() not in _TRUST_LEVELS:
            inner = _invalid(
                f"invalid trust level {go_quote(level)}: must be one of unknown, unverified, attested, verified"
            )
            raise _invalid("invalid spec.verify.policy.minTrustLevel", inner)
        constraint = go_string(policy.get("cliVersionConstraint"))
        if constraint:
            expression = go_trim_space(constraint)
            if not expression.startswith((">=", "<=", "!=", "==", ">", "<", "!")):
                expression = ">= " + expression
            try:
                parse_constraint(expression)
            except RecipeError as err:
                inner = _invalid("invalid tool version constraint", err)
                raise _invalid("invalid spec.verify.policy.cliVersionConstraint", inner) from None
    pattern = go_string((_part(section, "trust") or {}).get("certificateIdentityRegexp"))
    if pattern:
        _wrap("invalid spec.verify.trust.certificateIdentityRegexp", _identity_pattern, pattern)


def _identity_pattern(pattern: str) -> None:
    body = pattern.removeprefix("^")
    if not body.startswith((_IDENTITY_PREFIX, _IDENTITY_PREFIX_ESCAPED)):
        raise _invalid(
            f"certificate identity pattern must begin with {go_quote(_IDENTITY_PREFIX)} to pin to the NVIDIA "
            'repository (a leading "^" is allowed; put any alternatives after the prefix)'
        )
    try:
        alternation = go_regexp_check(pattern)
    except GoError as err:
        raise _invalid("certificate identity pattern is not a valid regular expression", err) from None
    if alternation:
        raise _invalid(
            "certificate identity pattern must not use top-level alternation: only one branch has to match, "
            f"so an unpinned branch would defeat the pin to {go_quote(_IDENTITY_PREFIX)}. Move the "
            f"alternatives into a group after the prefix, e.g. {_IDENTITY_PREFIX_ESCAPED}\\.github/workflows/"
            "(on-tag|release)\\.yaml@.*"
        )
    compiled = _python_regexp(pattern)
    if compiled is not None and any(compiled.search(canary) for canary in _CANARIES):
        raise _invalid(
            "certificate identity pattern is not confined to the NVIDIA repository: "
            "it also matches an unrelated identity"
        )


_POSIX_CLASSES: Final = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}


def _posix(name: str, *, negated: bool) -> str:
    """A POSIX class inside brackets as Python spells it.

    A negated one (`[:^alpha:]`) has no spelling there and matches nothing in the canary test.
    """
    return "" if negated else _POSIX_CLASSES.get(name, "")


def _python_regexp(pattern: str) -> re.Pattern[str] | None:
    """The Go pattern in Python's syntax (the differences a valid pattern may use), or None."""
    text = re.sub(r"\\Q(.*?)(?:\\E|$)", lambda match: re.escape(match.group(1)), pattern)
    text = text.replace(r"\z", r"\Z").replace("(?<", "(?P<").replace("(?P<=", "(?<=")
    text = re.sub(r"\[:(\^?)([a-z]+):\]", lambda match: _posix(match.group(2), negated=bool(match.group(1))), text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(text)
    except re.error:  # pragma: no cover - Go accepted it; a construct Python spells differently
        return None
