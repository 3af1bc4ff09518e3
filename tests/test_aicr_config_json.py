"""An AICRConfig in JSON: Go's syntax errors, type errors and trailing-data refusals, directly.

The texts are aicr 9793720d's (whole-command cases with the same inputs are in aicr_config_cases.json).
"""

from __future__ import annotations

import re

import pytest

from l40_recipes import RecipeError
from l40_recipes._aicr_config_json import decode_json

HEAD = '{"kind": "AICRConfig", "apiVersion": "aicr.run/v1alpha2", '


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"kind": ', "unexpected EOF"),
        ('{"kind": "a', "unexpected EOF"),
        ('{"kind": -', "unexpected EOF"),
        ("[1", "unexpected EOF"),
        ("[1 2]", "invalid character '2' after array element"),
        ('{"kind": fals}', "invalid character '}' in literal false (expecting 'e')"),
        ('{"kind": nul', "unexpected EOF"),
        ("{,}", "invalid character ',' looking for beginning of object key string"),
        ('{"kind": "\\u00"}', 'invalid escape sequence `\\u00"}` in string'),
        ('{"kind": 01}', "invalid character '1' after object key:value pair"),
        ("\u00e9", "invalid character 'é' looking for beginning of value"),
        ("", "EOF"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    """The first syntax error stops decoding, in the words Go 1.27's encoding/json uses."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        decode_json(text.encode())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + '"metadata": "x"}',
            "json: cannot unmarshal string into Go struct field AICRConfig.metadata of type config.Metadata",
        ),
        (
            HEAD + '"spec": {"bundle": {"deployment": {"set": {}}}}}',
            "json: cannot unmarshal object into Go struct field AICRConfig.spec.bundle.deployment.set of type []string",
        ),
        (
            HEAD + '"spec": {"bundle": {"scheduling": {"workloadSelector": []}}}}',
            "json: cannot unmarshal array into Go struct field AICRConfig.spec.bundle.scheduling.workloadSelector of type map[string]string",
        ),
        (
            HEAD + '"spec": {"snapshot": {"execution": {"privileged": 1}}}}',
            "json: cannot unmarshal number into Go struct field AICRConfig.spec.snapshot.execution.privileged of type bool",
        ),
        ("true", "json: cannot unmarshal bool into Go value of type config.AICRConfig"),
    ],
)
def test_type_errors(text: str, message: str) -> None:
    """The first field a value does not fit, named by the root type and its JSON path."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        decode_json(text.encode())


def test_values_and_merging() -> None:
    """Fields match case-insensitively; a repeated struct key merges; nulls leave zero values."""
    text = (
        HEAD
        + '"Spec": {"recipe": {"data": "d"}, "RECIPE": {"profile": "p"}, "validate": {"execution": {"phases": [null, "all"]}}}}'
    )
    document = decode_json(text.encode())
    assert document["spec"]["recipe"] == {"data": "d", "profile": "p"}
    assert document["spec"]["validate"]["execution"]["phases"] == ["", "all"]
    assert decode_json(b"null") == {}


def test_trailing_data() -> None:
    """A second value is refused; text that is no value is refused with the scanner's reason."""
    with pytest.raises(RecipeError, match="unexpected trailing data after JSON document"):
        decode_json(b'{"kind": "AICRConfig"} 1')
    with pytest.raises(RecipeError) as caught:
        decode_json(b'{"kind": "AICRConfig"} x')
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] trailing JSON data is not valid: invalid character 'x' looking for beginning of value"
    )
