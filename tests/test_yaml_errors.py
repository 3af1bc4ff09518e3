"""A catalog file that is not YAML fails in upstream's words, with its position beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError, RecipeLoadError, load_catalog, resolve
from l40_recipes._yaml import parse_yaml

from .conftest import MINIMAL_REGISTRY, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

MIXIN_HEAD = "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: x\n"

#: (file, content, upstream's error, line and column of the position shown). The texts were
#: observed from aicr 9793720d (`aicr recipe`, catalog directory patched in) on these same files.
OBSERVED = [
    ("overlays/x.yaml", "a: b\n c: d\n", "yaml: line 2: mapping values are not allowed in this context", (2, 3)),
    ("overlays/x.yaml", 'a: "unterminated\n', "yaml: line 2: found unexpected end of stream", (2, 1)),
    ("overlays/x.yaml", "a: b\n\tc: d\n", "yaml: line 2: found a tab character that violates indentation", (2, 1)),
    ("overlays/x.yaml", "\nkey: [a,\n  b\n", "yaml: line 1: did not find expected ',' or ']'", (4, 1)),
    ("overlays/x.yaml", "a:\n  - b\n  c: d\n", "yaml: line 1: did not find expected '-' indicator", (3, 3)),
    ("overlays/x.yaml", "{a: b", "yaml: line 1: did not find expected ',' or '}'", (2, 1)),
    ("overlays/x.yaml", "a: &x\n*y", "yaml: line 2: could not find expected ':'", (3, 1)),
    ("overlays/x.yaml", "a: 'x\n\nb: c", "yaml: line 3: found unexpected end of stream", (3, 5)),
    ("overlays/x.yaml", "k: |\n  x\n y: z\n", "yaml: line 2: did not find expected key", (3, 2)),
    ("overlays/x.yaml", "x: [a, b}\n", "yaml: did not find expected ',' or ']'", (1, 9)),
    ("overlays/x.yaml", b"x: \xff\n", "yaml: invalid leading UTF-8 octet", (1, 4)),
    (
        "overlays/x.yaml",
        "kind: RecipeMetadata\nkind: RecipeMetadata\n",
        'yaml: unmarshal errors:\n  line 2: mapping key "kind" already defined at line 1',
        (2, 1),
    ),
]


def _broken(tmp_path: Path, relative: str, content: str | bytes) -> Path:
    root = write_catalog(tmp_path / "catalog", {})
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


@pytest.mark.parametrize(("relative", "content", "text", "position"), OBSERVED)
def test_overlay_syntax_errors_read_as_upstream(
    tmp_path: Path, relative: str, content: str | bytes, text: str, position: tuple[int, int]
) -> None:
    """`failed to parse header for <path relative to the catalog>: yaml: line N: ...`, exit 2."""
    root = _broken(tmp_path, relative, content)
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text == f"[INVALID_REQUEST] failed to parse header for {relative}: {text}"
    assert caught.value.exit_code == 2
    assert caught.value.location is not None
    assert (caught.value.location.path, caught.value.location.line, caught.value.location.column) == (
        f"{root}/{relative}",
        *position,
    )


@pytest.mark.parametrize(
    ("release", "message"),
    [
        # observed from aicr 9793720d
        ("0.20", "failed to parse mixin mixins/x.yaml (unknown fields are not allowed)"),
        # v1.0 parses a mixin's header first (the recovered v1.0 metadata_store.go)
        ("1.0", "failed to parse mixin header mixins/x.yaml"),
    ],
)
def test_mixin_syntax_errors_read_as_upstream(tmp_path: Path, release: str, message: str) -> None:
    root = _broken(tmp_path, "mixins/x.yaml", MIXIN_HEAD + "  bad: [\n")
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root, aicr_version=release)
    expected = f"[INVALID_REQUEST] {message}: yaml: line 5: did not find expected node content"
    assert caught.value.upstream_text == expected
    assert str(caught.value.location) == f"{root}/mixins/x.yaml:6:1"


def test_duplicate_mixin_key_is_an_unmarshal_error(tmp_path: Path) -> None:
    """Observed from aicr 9793720d."""
    root = _broken(tmp_path, "mixins/x.yaml", MIXIN_HEAD + "  name: y\n")
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] failed to parse mixin mixins/x.yaml (unknown fields are not allowed): "
        'yaml: unmarshal errors:\n  line 5: mapping key "name" already defined at line 4'
    )


def test_registry_syntax_error_is_internal(tmp_path: Path) -> None:
    """Observed from aicr 9793720d: `[INTERNAL] failed to parse registry.yaml: yaml: line 2: ...`, exit 8."""
    root = write_catalog(tmp_path / "catalog", {}, registry=MINIMAL_REGISTRY.replace("components:", "components: [", 1))
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text.startswith("[INTERNAL] failed to parse registry.yaml: yaml: line ")
    assert caught.value.exit_code == 8


def test_missing_health_check_file_in_go_words(tmp_path: Path) -> None:
    """Observed from aicr 9793720d: the file system's error follows, with no code of its own."""
    registry = MINIMAL_REGISTRY.replace("checks/gpu-operator/", "checks/gone/", 1)
    root = write_catalog(tmp_path / "catalog", {"eks": overlay("eks", criteria="service: eks")}, registry=registry)
    with pytest.raises(RecipeError) as caught:
        resolve(catalog=root, service="eks")
    assert caught.value.upstream_text == (
        '[INTERNAL] failed to read healthCheck.assertFile for component "gpu-operator" from '
        '"checks/gone/health-check.yaml": open checks/gone/health-check.yaml: file does not exist'
    )


def test_scanner_error_on_the_first_line_has_no_line_number() -> None:
    """yaml.v3 leaves `line N:` out when both marks are on the first line (its line 0)."""
    with pytest.raises(RecipeLoadError) as caught:
        parse_yaml("x: [a, b}\n", path="f.yaml")
    assert (
        caught.value.upstream_text == "[INVALID_REQUEST] failed to parse f.yaml: yaml: did not find expected ',' or ']'"
    )


def test_layer_registry_syntax_error(tmp_path: Path) -> None:
    """Observed from aicr 9793720d with `--data` holding `components: [`."""
    root = write_catalog(tmp_path / "catalog", {})
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "registry.yaml").write_text("components: [\n")
    with pytest.raises(RecipeError) as caught:
        load_catalog(root, data=layer)
    assert caught.value.upstream_text == (
        "[INTERNAL] failed to read registry.yaml: [INTERNAL] failed to parse external registry.yaml: "
        "yaml: line 1: did not find expected node content"
    )
