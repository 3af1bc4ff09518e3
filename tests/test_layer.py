"""`load_catalog(..., data=DIR)`: an external layer over a catalog, as `aicr recipe --data DIR`.

Expected messages and outcomes were observed from aicr 9793720d (`/work/aicr-build/aicr recipe
--data DIR`, embedded upstream catalog) and are repeated here as the values to match.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from l40_recipes import Catalog, ErrorCode, RecipeError, RecipeLoadError, load_catalog, resolve
from l40_recipes._layer import MAX_FILE_BYTES, merge_by_name, open_layer
from l40_recipes._registry_models import ComponentConfig

from .conftest import UPSTREAM_RECIPES, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

EMPTY_REGISTRY = "apiVersion: aicr.run/v1alpha2\nkind: ComponentRegistry\ncomponents: []\n"

LAYER_REGISTRY = """\
apiVersion: something/else
kind: Ignored
components:
  - name: gpu-operator
    displayName: gpu-operator
    helm:
      defaultRepository: https://helm.ngc.nvidia.com/nvidia
      defaultChart: nvidia/gpu-operator
      defaultVersion: v99.1.0
  - name: zz-extra
    displayName: zz-extra
    unknownKey: ignored as upstream ignores it
    helm:
      defaultRepository: https://example.com/charts
      defaultChart: example/zz-extra
      defaultVersion: 1.2.3
"""

EXTRA_OVERLAY = overlay(
    "eks-extra",
    criteria="service: eks, intent: training",
    body="""\
    componentRefs:
      - name: zz-extra
        type: Helm
        dependencyRefs: [cert-manager]
    """,
)


def _catalog(tmp_path: Path) -> Path:
    return write_catalog(
        tmp_path / "cat",
        {
            "eks": overlay("eks", criteria="service: eks"),
            "eks-training": overlay("eks-training", base="eks", criteria="service: eks, intent: training"),
        },
    )


def _layer(tmp_path: Path, files: dict[str, str], *, registry: str | None = EMPTY_REGISTRY) -> Path:
    root = tmp_path / "layer"
    root.mkdir()
    if registry is not None:
        (root / "registry.yaml").write_text(registry)
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def _failure(tmp_path: Path, files: dict[str, str], **kwargs: str | None) -> RecipeError:
    catalog = _catalog(tmp_path)
    layer = _layer(tmp_path, files, **kwargs)
    with pytest.raises(RecipeError) as caught:
        load_catalog(catalog, data=layer)
    return caught.value


def test_layer_adds_overlays_and_merges_registry(tmp_path: Path) -> None:
    """New overlays join; a layer registry entry replaces the catalog's by name, new names append."""
    catalog = load_catalog(
        _catalog(tmp_path),
        data=_layer(tmp_path, {"overlays/eks-extra.yaml": EXTRA_OVERLAY}, registry=LAYER_REGISTRY),
    )
    assert catalog.layer is not None
    assert catalog.overlays["eks-extra"].path == "overlays/eks-extra.yaml"
    assert catalog.registry is not None
    assert [c.name for c in catalog.registry.document.components] == ["gpu-operator", "cert-manager", "zz-extra"]
    gpu = catalog.registry.get("gpu-operator")
    assert gpu is not None
    assert gpu.helm.default_version == "v99.1.0"
    # The layer's own header is not read: the catalog's stays.
    assert catalog.registry.document.api_version == "aicr.run/v1alpha2"
    # Positions of a layer entry point into the layer's file, of a catalog entry into the catalog's.
    where = catalog.registry.locate_component("zz-extra", "helm", "defaultVersion")
    assert where.path.endswith("layer/registry.yaml")
    assert where.line == 16
    assert catalog.registry.locate("components", 1, "name").path.endswith("cat/registry.yaml")
    assert catalog.registry.locate("components", 99).path.endswith("cat/registry.yaml")
    recipe = resolve({"service": "eks", "intent": "training"}, catalog=catalog)
    assert [ref.name for ref in recipe.component_refs] == ["cert-manager", "gpu-operator", "zz-extra"]
    versions = {ref.name: ref.version for ref in recipe.component_refs}
    assert versions == {"cert-manager": "v1.20.2", "gpu-operator": "v99.1.0", "zz-extra": "1.2.3"}
    assert recipe.metadata.applied_overlays == ["base", "eks-extra", "eks", "eks-training"]


def test_resolve_takes_data_and_refuses_it_with_a_loaded_catalog(tmp_path: Path) -> None:
    """`resolve(..., data=DIR)` layers over a catalog path; a loaded Catalog is already layered or not."""
    root = _catalog(tmp_path)
    layer = _layer(tmp_path, {"overlays/eks-extra.yaml": EXTRA_OVERLAY}, registry=LAYER_REGISTRY)
    recipe = resolve(catalog=root, data=layer, service="eks", intent="training")
    assert "zz-extra" in [ref.name for ref in recipe.component_refs]
    with pytest.raises(TypeError, match="load_catalog"):
        resolve(catalog=load_catalog(root), data=layer, service="eks")


def test_same_path_file_replaces_the_catalogs(tmp_path: Path) -> None:
    """A layer file at a catalog file's path is read instead of it, and errors name the layer's file."""
    replaced = overlay("eks", criteria="service: eks", body="componentRefs:\n  - name: zz-extra\n    type: Helm\n")
    catalog = load_catalog(_catalog(tmp_path), data=_layer(tmp_path, {"overlays/eks.yaml": replaced}))
    assert [ref.name for ref in catalog.overlays["eks"].spec.component_refs] == ["zz-extra"]
    assert catalog.display("overlays/eks.yaml").endswith("layer/overlays/eks.yaml")
    assert catalog.display("overlays/eks-training.yaml").endswith("cat/overlays/eks-training.yaml")
    assert catalog.has_file("overlays/eks.yaml")
    assert catalog.contains_path("overlays/eks.yaml")
    assert "zz-extra" in catalog.read_text("overlays/eks.yaml")


def test_same_name_under_another_path_loses_to_the_catalog(tmp_path: Path) -> None:
    """Observed: the layer is walked first, so a catalog overlay of the same name, walked later, wins."""
    twin = overlay("eks", criteria="service: eks", body="componentRefs:\n  - name: zz-extra\n    type: Helm\n")
    catalog = load_catalog(_catalog(tmp_path), data=_layer(tmp_path, {"overlays/aaa-twin.yaml": twin}))
    assert catalog.overlays["eks"].path == "overlays/eks.yaml"
    assert catalog._walked[:2] == ("overlays/aaa-twin.yaml", "registry.yaml")


def test_layer_overlay_with_nodes_is_refused(tmp_path: Path) -> None:
    """Observed message; the walk wraps it as INTERNAL (exit 8), located at criteria.nodes in the layer."""
    error = _failure(
        tmp_path,
        {"overlays/x.yaml": overlay("x-nodes", criteria="service: eks, nodes: 4").replace("  nodes", "  nodes")},
    )
    assert error.upstream_text == (
        "[INTERNAL] failed to walk external directory tree: [INVALID_REQUEST] external overlay "
        '"x-nodes" sets criteria.nodes=4 which is no longer used for overlay selection (#1781): nodes is '
        "metadata-only and the overlay would silently match every query; remove or zero criteria.nodes "
        "in your --data catalog"
    )
    assert error.exit_code == 8
    assert error.location is not None
    assert error.location.path.endswith("layer/overlays/x.yaml")
    assert (error.location.line, error.location.column) == (8, 5)


def test_catalog_overlay_and_layer_base_may_set_nodes(tmp_path: Path) -> None:
    """Only a layer *overlay* is refused: the catalog's own, and a layer base.yaml, keep their nodes."""
    root = write_catalog(tmp_path / "cat", {"eks": overlay("eks", criteria="service: eks, nodes: 4")})
    base = "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: base\nspec:\n"
    base += "  criteria:\n    nodes: 2\n  componentRefs:\n    - name: cert-manager\n      type: Helm\n"
    catalog = load_catalog(root, data=_layer(tmp_path, {"overlays/base.yaml": base}))
    assert catalog.base is not None
    assert catalog.base.path == "overlays/base.yaml"
    assert [ref.name for ref in catalog.base.spec.component_refs] == ["cert-manager"]


def test_broken_layer_file_is_wrapped_as_a_walk_failure(tmp_path: Path) -> None:
    """Observed: `[INTERNAL] failed to walk external directory tree: [INVALID_REQUEST] failed to parse ...`."""
    error = _failure(
        tmp_path, {"overlays/bad.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha2\nmetadata: [\n"}
    )
    assert isinstance(error, RecipeLoadError)
    assert error.upstream_text.startswith("[INTERNAL] failed to walk external directory tree: [INVALID_REQUEST] ")
    assert error.exit_code == 8
    assert error.location is not None
    assert error.location.path.endswith("layer/overlays/bad.yaml")
    assert error.location.line == 4


def test_broken_catalog_file_is_not_wrapped(tmp_path: Path) -> None:
    """Errors of the catalog's own files keep their text (upstream: the embedded walk does not wrap)."""
    root = _catalog(tmp_path)
    (root / "mixins").mkdir()
    (root / "mixins" / "m.yaml").write_text("kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata: {name: m}\n")
    layer = _layer(
        tmp_path, {"mixins/a.yaml": "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata: {name: m}\n"}
    )
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root, data=layer)
    # Observed shape: `[INVALID_REQUEST] duplicate mixin name "os-ubuntu" in mixins/os-ubuntu.yaml`.
    assert caught.value.upstream_text == '[INVALID_REQUEST] duplicate mixin name "m" in mixins/m.yaml'


@pytest.mark.parametrize(
    ("registry", "cause"),
    [
        (
            "components: 5\n",
            "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!int `5` into []recipe.ComponentConfig",
        ),
        ("components: [\n", "did not find expected node content"),
    ],
)
def test_broken_layer_registry(tmp_path: Path, registry: str, cause: str) -> None:
    """Observed: `[INTERNAL] failed to read registry.yaml: [INTERNAL] failed to parse external registry.yaml: ...`."""
    error = _failure(tmp_path, {}, registry=registry)
    assert error.upstream_text.startswith(
        "[INTERNAL] failed to read registry.yaml: [INTERNAL] failed to parse external registry.yaml: "
    )
    assert cause in error.upstream_text
    assert error.exit_code == 8
    assert error.location is not None
    assert error.location.path.endswith("layer/registry.yaml")


def test_layer_registry_entries_meet_the_load_rules(tmp_path: Path) -> None:
    """A layer entry named `deployer` is refused like a catalog one, at the layer's line."""
    registry = "components:\n  - name: deployer\n    helm: {defaultChart: a/b}\n"
    error = _failure(tmp_path, {}, registry=registry)
    assert "reserved deployer override key" in error.message
    assert error.location is not None
    assert error.location.path.endswith("layer/registry.yaml")
    assert error.location.line == 2


def test_check_collects_layer_problems(tmp_path: Path) -> None:
    """Loading for check() collects a layer's problems instead of raising them."""
    from l40_recipes._loading import load_catalog_for_check  # noqa: PLC0415

    catalog = load_catalog_for_check(
        _catalog(tmp_path), data=_layer(tmp_path, {"overlays/x.yaml": overlay("x", criteria="service: eks, nodes: 2")})
    )
    assert [problem.code for problem in catalog._problems] == [ErrorCode.INTERNAL]
    catalog = load_catalog_for_check(
        _catalog(tmp_path / "b"), data=_layer(tmp_path / "b", {}, registry="components: 5\n")
    )
    assert len(catalog._problems) == 1


# --- open_layer: what upstream refuses before it loads anything (exit 2) -----------------------------


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(RecipeError) as caught:
        open_layer(tmp_path / "nope")
    shown = str(tmp_path / "nope")
    assert caught.value.upstream_text == (
        f"[INVALID_REQUEST] construct layered data provider: [NOT_FOUND] external data directory not found: "
        f"{shown}: stat {shown}: no such file or directory"
    )
    assert caught.value.exit_code == 2


def test_not_a_directory(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(RecipeError) as caught:
        open_layer(tmp_path / "file")
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] construct layered data provider: [INVALID_REQUEST] external data path is not a "
        f"directory: {tmp_path / 'file'}"
    )


def test_registry_required(tmp_path: Path) -> None:
    layer = _layer(tmp_path, {"overlays/a.yaml": "x: 1\n"}, registry=None)
    with pytest.raises(RecipeError) as caught:
        open_layer(layer)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] construct layered data provider: [INVALID_REQUEST] registry.yaml is required in "
        f"external data directory: {layer}"
    )


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
@pytest.mark.parametrize("target", ["file", "directory"])
def test_symlinks_refused(tmp_path: Path, target: str) -> None:
    """Observed for a linked file (`overlays/l.yaml`) and a linked directory (`sub`) alike."""
    layer = _layer(tmp_path, {"overlays/real.yaml": "x: 1\n"})
    if target == "file":
        (layer / "overlays" / "l.yaml").symlink_to(layer / "overlays" / "real.yaml")
        name = "overlays/l.yaml"
    else:
        (layer / "sub").symlink_to(tmp_path, target_is_directory=True)
        name = "sub"
    with pytest.raises(RecipeError) as caught:
        open_layer(layer)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] construct layered data provider: [INTERNAL] external directory validation failed: "
        f"[INVALID_REQUEST] symlinks not allowed: {name}"
    )
    assert caught.value.exit_code == 2


def test_file_size_limit(tmp_path: Path) -> None:
    """Observed: 10485761 bytes is refused with max 10485760; exactly the limit is accepted."""
    layer = _layer(tmp_path, {})
    (layer / "overlays").mkdir()
    (layer / "overlays" / "big.txt").write_bytes(b"x" * MAX_FILE_BYTES)
    assert open_layer(layer).files == ("overlays/big.txt", "registry.yaml")
    (layer / "overlays" / "big.txt").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(RecipeError) as caught:
        open_layer(layer)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] construct layered data provider: [INTERNAL] external directory validation failed: "
        "[INVALID_REQUEST] file too large (10485761 bytes, max 10485760): overlays/big.txt"
    )


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_directory(tmp_path: Path) -> None:
    layer = _layer(tmp_path, {"secret/a.yaml": "x: 1\n"})
    (layer / "secret").chmod(0)
    try:
        with pytest.raises(RecipeError) as caught:
            open_layer(layer)
    finally:
        (layer / "secret").chmod(0o755)
    assert "[INTERNAL] failed to walk external directory: open " in caught.value.upstream_text


def test_layer_walks_every_file_sorted(tmp_path: Path) -> None:
    """Upstream walks the whole directory, not only the catalog layout, in sorted order."""
    layer = _layer(tmp_path, {"b/z.yaml": "", "a.txt": "", "overlays/x.yaml": ""})
    opened = open_layer(layer)
    assert opened.files == ("a.txt", "b/z.yaml", "overlays/x.yaml", "registry.yaml")
    assert opened.replaces("overlays/x.yaml")
    assert not opened.replaces("registry.yaml")
    assert opened.has("registry.yaml")
    assert open_layer(os.path.relpath(layer)).display("x") == os.path.relpath(layer).replace(os.sep, "/") + "/x"


def test_merge_by_name_keeps_upstreams_quirks() -> None:
    """Replaced in place by the layer's last entry of a name; new names appended, duplicates included."""

    def entries(*names: str) -> list[ComponentConfig]:
        return [
            ComponentConfig.model_validate({"name": name, "displayName": f"{name}{i}"}) for i, name in enumerate(names)
        ]

    merged = merge_by_name(entries("a", "b", "c"), entries("b", "", "d", "b", "d"))
    assert [(layer, index, item.name) for layer, index, item in merged] == [
        (False, 0, "a"),
        (True, 3, "b"),
        (False, 2, "c"),
        (True, 1, ""),
        (True, 2, "d"),
        (True, 4, "d"),
    ]


def test_layer_over_upstream_matches_aicr(tmp_path: Path, upstream: Catalog) -> None:
    """A layer over upstream's catalog resolves as `aicr recipe --data` did (observed, aicr 9793720d).

    The layer adds `zz-extra` (new registry entry, new child overlay of h100-eks-training) and pins
    gpu-operator to v99.1.0; aicr 9793720d answered with these components and versions.
    """
    child = overlay(
        "h100-eks-training-extra",
        base="h100-eks-training",
        criteria="service: eks, accelerator: h100, intent: training, platform: kubeflow",
        body="componentRefs:\n  - name: zz-extra\n    type: Helm\n    dependencyRefs: [cert-manager]\n",
    )
    layer = _layer(tmp_path, {"overlays/h100-eks-training-extra.yaml": child}, registry=LAYER_REGISTRY)
    recipe = resolve(
        catalog=UPSTREAM_RECIPES, data=layer, service="eks", accelerator="h100", intent="training", platform="kubeflow"
    )
    versions = {ref.name: ref.version for ref in recipe.component_refs}
    assert versions["gpu-operator"] == "v99.1.0"
    assert versions["zz-extra"] == "1.2.3"
    assert recipe.metadata.applied_overlays[-1] == "h100-eks-training-extra"
    assert upstream.registry is not None  # the upstream catalog itself is untouched
    unchanged = upstream.registry.get("gpu-operator")
    assert unchanged is not None
    assert unchanged.helm.default_version != "v99.1.0"


def test_layer_registry_that_is_a_directory(tmp_path: Path) -> None:
    """Observed: `[INTERNAL] failed to read registry.yaml: [INTERNAL] failed to read external registry.yaml:
    read DIR/registry.yaml: is a directory` (exit 8)."""
    catalog = _catalog(tmp_path)
    layer = _layer(tmp_path, {}, registry=None)
    (layer / "registry.yaml").mkdir()
    with pytest.raises(RecipeError) as caught:
        load_catalog(catalog, data=layer)
    assert caught.value.upstream_text == (
        "[INTERNAL] failed to read registry.yaml: [INTERNAL] failed to read external registry.yaml: "
        f"read {layer}/registry.yaml: is a directory"
    )
    assert caught.value.exit_code == 8


def test_unlistable_directory_is_a_walk_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory of the layer that cannot be listed stops the validation walk (as root, simulated)."""
    layer = _layer(tmp_path, {"secret/a.yaml": "x: 1\n"})
    real = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(RecipeError) as caught:
        open_layer(layer)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] construct layered data provider: [INTERNAL] external directory validation failed: "
        f"[INTERNAL] failed to walk external directory: open {layer}/secret: permission denied"
    )
