"""Loading catalogs: layout, classification, and load errors that point at the line."""

from __future__ import annotations

import os
import shutil
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING

import pytest

from l40_recipes import Catalog, ErrorCode, RecipeError, RecipeLoadError, load_catalog, resolve
from l40_recipes._catalog import CatalogDraft
from l40_recipes._loading import complete_for_check, load_catalog_for_check

from .conftest import REPO, overlay, write_catalog
from .hostile import remove_deep_tree

if TYPE_CHECKING:
    from pathlib import Path

    from l40_recipes import SourceMap


def test_root_and_overlays_directory_load_the_same(upstream: Catalog) -> None:
    """A catalog root and its overlays/ directory name the same catalog."""
    via_overlays = load_catalog(upstream.root / "overlays")
    assert via_overlays.root == upstream.root
    assert sorted(via_overlays.overlays) == sorted(upstream.overlays)
    assert len(upstream.overlays) == 102
    assert len(upstream.mixins) == 4
    assert upstream.registry is not None
    assert len(upstream.registry.document.components) == 43
    # `aicr recipe` reads neither the validator catalog nor component files; check() does.
    assert upstream.validators is None
    assert not upstream._files
    assert not upstream._complete
    completed = complete_for_check(upstream)
    assert completed is not upstream
    assert completed.validators is not None
    assert len(completed.validators.document.validators) == 22
    assert len(completed._files) == 100
    assert complete_for_check(completed) is completed
    assert upstream.validators is None  # the caller's catalog is left as it was


def test_shipped_catalog_loads_from_the_repository_root(shipped: Catalog) -> None:
    """The repository root is a catalog root; unrelated YAML outside the layout is not read."""
    assert shipped.root == REPO
    assert "base" not in shipped.overlays
    assert shipped.base is not None
    assert all(
        path.startswith(("overlays/", "mixins/", "components/", "checks/", "validators/", "registry.yaml"))
        for path in shipped._walked
    )


def test_a_loaded_catalog_never_changes(shipped: Catalog) -> None:
    """Every field is read-only, so whatever is derived from a catalog stays true while it lives."""
    with pytest.raises(FrozenInstanceError):
        shipped.base = None  # type: ignore[misc]  # the assignment a frozen dataclass refuses
    with pytest.raises(TypeError):
        shipped.overlays["intruder"] = shipped.overlay_files[0]  # type: ignore[index]  # a read-only view
    with pytest.raises(TypeError):
        del shipped.mixins[next(iter(shipped.mixins))]  # type: ignore[attr-defined]  # a read-only view
    assert isinstance(shipped.overlay_files, tuple)
    before = dict(shipped.overlays)
    completed = complete_for_check(shipped)
    assert completed is not shipped
    assert completed.overlays == before
    assert dict(shipped.overlays) == before
    assert completed._files
    assert not shipped._files


def test_components_are_kept_raw_and_checks_are_skipped(upstream: Catalog) -> None:
    """components/ files are stored as bytes for check(); checks/ files are not parsed at load."""
    completed = complete_for_check(upstream)
    assert "components/gpu-operator/values.yaml" in completed._files
    assert not any(path.startswith("checks/") for path in completed._files)


def test_non_recipe_kinds_are_skipped(tmp_path: Path) -> None:
    """A YAML file with another kind under overlays/ is ignored, as upstream ignores it."""
    root = write_catalog(tmp_path, {"other": "kind: Something\nfoo: 1\n"})
    assert "other" not in load_catalog(root).overlays


def test_later_duplicate_overlay_name_wins(tmp_path: Path) -> None:
    """Two files with one metadata.name: the later file in walk order replaces the earlier."""
    root = write_catalog(
        tmp_path,
        {"a": overlay("dup", criteria="service: eks"), "b": overlay("dup", criteria="service: gke")},
    )
    catalog = load_catalog(root)
    assert catalog.overlays["dup"].path == "overlays/b.yaml"
    assert len(catalog.overlay_files) == 2


@pytest.mark.parametrize(
    ("files", "message", "where"),
    [
        (
            {"overlays/x.yaml": "kind: RecipeMetadata\nspec:\n  componentRefs: 3\n"},
            "into []recipe.ComponentRef",
            "x.yaml:3:18",
        ),
        (
            {"overlays/x.yaml": "kind: RecipeMetadata\nspec:\n  criteria:\n    service: [eks]\n"},
            "cannot unmarshal !!seq into recipe.CriteriaServiceType",
            "x.yaml:4:14",
        ),
        (
            {"overlays/x.yaml": "kind: RecipeMetadata\nspec: {a: 1, a: 2}\n"},
            'mapping key "a" already defined',
            "x.yaml:2:14",
        ),
        ({"overlays/x.yaml": "- just\n- a list\n"}, "!!seq into recipe.RecipeMetadataHeader", "x.yaml:1:1"),
        (
            {
                "overlays/x.yaml": "kind: RecipeMetadata\nspec:\n  constraints:\n    - name: K8s.server.versoin\n      value: '1'\n"
            },
            'did you mean "version"',
            "x.yaml:4:13",
        ),
        (
            {
                "mixins/m.yaml": "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata: {name: m}\nspec:\n  validation: {}\n"
            },
            "line 5: field validation not found in type struct { Constraints []recipe.Constraint",
            "m.yaml:5:3",
        ),
        ({"mixins/m.yaml": "kind: Other\nmetadata: {name: m}\n"}, 'has wrong kind "Other"', "m.yaml:1:1"),
        (
            {"overlays/p.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha3\nmetadata: {name: p}\nspec: {}\n"},
            "has no spec.profile declaration",
            "p.yaml:2:1",
        ),
        ({"overlays/p.yaml": "kind: Other\napiVersion: aicr.run/v1alpha3\n"}, "requires kind", "p.yaml:1:1"),
    ],
    ids=[
        "wrong-type",
        "list-for-string",
        "duplicate-key",
        "not-a-mapping",
        "bad-constraint-path",
        "strict-mixin",
        "mixin-kind",
        "v1alpha3-without-profile",
        "profile-kind",
    ],
)
def test_load_errors_name_file_line_and_fix(tmp_path: Path, files: dict[str, str], message: str, where: str) -> None:
    """Each malformed file raises RecipeLoadError at the offending line and column, with a hint."""
    root = write_catalog(tmp_path, {}, extra=files)
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    assert message in str(caught.value)
    assert str(caught.value.location).endswith(where)
    assert caught.value.hint


def test_duplicate_mixin_name(tmp_path: Path) -> None:
    """The second mixin with a name already loaded is an error."""
    text = "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata: {name: m}\n"
    root = write_catalog(tmp_path, {}, extra={"mixins/a.yaml": text, "mixins/b.yaml": text})
    with pytest.raises(RecipeLoadError, match=r'duplicate mixin name "m" in mixins/b\.yaml'):
        load_catalog(root)


def test_missing_base_and_registry(tmp_path: Path) -> None:
    """No base.yaml or no registry.yaml fails loading with upstream's message and a hint."""
    root = write_catalog(tmp_path, {}, registry=None)
    with pytest.raises(RecipeLoadError, match=r"failed to read registry\.yaml") as caught:
        load_catalog(root)
    assert caught.value.code == ErrorCode.INTERNAL
    (root / "overlays" / "base.yaml").unlink()
    with pytest.raises(RecipeLoadError, match=r"base\.yaml not found"):
        load_catalog(root)


def test_base_dependencies_must_resolve(tmp_path: Path) -> None:
    """base.yaml with an unknown dependency fails the load."""
    base = "kind: RecipeMetadata\nmetadata: {name: base}\nspec:\n  componentRefs:\n    - name: a\n      dependencyRefs: [b]\n"
    with pytest.raises(RecipeLoadError, match="base recipe validation failed"):
        load_catalog(write_catalog(tmp_path, {}, base=base))


def test_registry_rejections(tmp_path: Path) -> None:
    """A registry component named `deployer` is rejected at its line."""
    registry = "kind: ComponentRegistry\ncomponents:\n  - name: deployer\n    displayName: x\n"
    with pytest.raises(RecipeLoadError, match="reserved deployer override key") as caught:
        load_catalog(write_catalog(tmp_path, {}, registry=registry))
    assert str(caught.value.location).endswith("registry.yaml:3:5")


def test_collecting_mode_keeps_going(tmp_path: Path) -> None:
    """For check(), every load problem is collected and the rest of the catalog still loads."""
    root = write_catalog(
        tmp_path,
        {"good": overlay("good", criteria="service: eks"), "bad": "kind: RecipeMetadata\nspec: [\n"},
        registry=None,
    )
    catalog = load_catalog_for_check(root)
    assert "good" in catalog.overlays
    assert {problem.message.split(":")[0] for problem in catalog._problems} >= {
        "failed to parse header for overlays/bad.yaml",
        "failed to read registry.yaml",
    }


@pytest.mark.skipif(os.name != "posix", reason="symlinks need a POSIX filesystem")
def test_symlink_out_of_the_root_is_never_read(tmp_path: Path) -> None:
    """A symlinked overlay pointing outside the catalog is reported and not read."""
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: RecipeMetadata\nmetadata: {name: stolen}\nspec: {criteria: {service: eks}}\n")
    root = write_catalog(tmp_path / "cat", {})
    (root / "overlays" / "link.yaml").symlink_to(outside)
    with pytest.raises(RecipeLoadError, match="symlink that leaves the catalog root"):
        load_catalog(root)
    catalog = load_catalog_for_check(root)
    assert "stolen" not in catalog.overlays


def test_read_text_refuses_escapes(shipped: Catalog) -> None:
    """Reading a path outside the root raises instead of reading it."""
    with pytest.raises(RecipeError, match="leaves the catalog root"):
        shipped.read_text("../../etc/passwd")
    with pytest.raises(RecipeError, match="leaves the catalog root"):
        shipped.read_text("/etc/passwd")
    assert not shipped.contains_path("")


def test_bad_paths(tmp_path: Path) -> None:
    """A missing path or a file instead of a directory is a clear load error."""
    with pytest.raises(RecipeLoadError, match="does not exist"):
        load_catalog(tmp_path / "nope")
    (tmp_path / "file.yaml").write_text("a: 1\n")
    with pytest.raises(RecipeLoadError, match="is not a directory"):
        load_catalog(tmp_path / "file.yaml")


def test_known_values_feed_the_parser(tmp_path: Path) -> None:
    """A catalog-registered value (e.g. a new service) is accepted by queries against that catalog."""
    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: MyCloud")})
    catalog = load_catalog(root)
    assert "mycloud" in catalog.known_values["service"]
    # The overlay's raw `MyCloud` never matches the lowercased query, exactly as upstream.
    with pytest.raises(RecipeError, match="no recipe provides service 'mycloud'"):
        resolve(service="MyCloud", catalog=catalog)
    assert repr(catalog).startswith("<Catalog ")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("spec:\n  validation:\n    readiness:\n      nodeSelection: {maxNodes: many}\n", "whole number"),
        ("spec:\n  componentRefs:\n    - name: a\n      cleanup: maybe\n", "true or false"),
        ("spec:\n  mixins: m\n", "YAML list"),
        ("spec:\n  criteria: eks\n", "YAML mapping"),
        ("spec:\n  componentRefs:\n    - name: a\n      overrides: 5\n", "YAML mapping"),
    ],
)
def test_type_errors_say_what_to_write(tmp_path: Path, text: str, hint: str) -> None:
    """A wrong value type names the expected YAML shape in the hint."""
    root = write_catalog(tmp_path, {}, extra={"overlays/x.yaml": "kind: RecipeMetadata\n" + text})
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    assert caught.value.hint is not None
    assert hint in caught.value.hint


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {
                "overlays/p.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha3\nmetadata: {name: p}\nspec:\n"
                "  profile: {name: p, default: a, values: {a: {}}}\n---\nkind: RecipeMetadata\n"
            },
            "contains multiple YAML documents",
        ),
        (
            {
                "overlays/p.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha3\nspec:\n"
                "  profile: {name: p, default: a, values: {a: {}}}\n"
            },
            "requires metadata.name",
        ),
        (
            {
                "overlays/p.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha3\nmetadata: {name: p}\nspec:\n"
                "  profile: {name: p, default: a, values: {a: {}}}\n  typo: 1\n"
            },
            "line 6: field typo not found in type recipe.RecipeMetadataSpec",
        ),
        (
            {
                "overlays/r.yaml": "kind: RecipeMetadata\nspec:\n  validation:\n    readiness:\n      constraints:\n"
                "        - {name: Bad.path.x, value: '1'}\n"
            },
            "spec.validation.readiness.constraints[0]",
        ),
        (
            {
                "overlays/p.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha3\nmetadata: {name: p}\nspec:\n"
                "  profile: {name: p, default: a, values: {a: {constraints: [{name: Bad.x.y, value: '1'}]}}}\n"
            },
            "spec.profile.values.a.constraints[0]",
        ),
        ({"overlays/k.yaml": "kind: [RecipeMetadata]\n"}, "line 1: cannot unmarshal !!seq into string"),
    ],
)
def test_more_load_errors(tmp_path: Path, files: dict[str, str], message: str) -> None:
    """Strict profile files, constraint paths in readiness and profiles, headers and validators fail loudly."""
    root = write_catalog(tmp_path, {}, extra=files)
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    assert message in str(caught.value)


def test_validator_catalog_and_component_files_are_read_for_check_only(tmp_path: Path) -> None:
    """`aicr recipe` reads neither; a broken validator catalog breaks check(), never resolution."""
    root = write_catalog(
        tmp_path,
        {"leaf": overlay("leaf", criteria="service: eks")},
        extra={"validators/catalog.yaml": "validators: 3\n", "components/gpu-operator/values.yaml": "a: 1\n"},
    )
    catalog = load_catalog(root)
    assert catalog.validators is None
    assert not catalog._files
    assert resolve(service="eks", catalog=catalog).metadata.applied_overlays == ["base", "leaf"]
    for checked in (load_catalog_for_check(root), complete_for_check(catalog)):
        assert checked._files == {"components/gpu-operator/values.yaml": b"a: 1\n"}
        assert [str(problem.location) for problem in checked._problems] == [f"{root}/validators/catalog.yaml:1:13"]
    assert not catalog._problems


def test_registry_parse_errors_are_internal(tmp_path: Path) -> None:
    """A malformed registry fails as upstream's `failed to parse registry.yaml`, with the position."""
    root = write_catalog(tmp_path, {}, registry="components:\n  - name: a\n    helm: 3\n")
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text.startswith("[INTERNAL] failed to parse registry.yaml: ")
    assert str(caught.value.location).endswith("registry.yaml:3:11")


@pytest.mark.parametrize(
    ("component", "message"),
    [
        ("{name: a, displayName: A, valueOverrideKeys: [deployer]}", 'declares the reserved override key "deployer"'),
        (
            "{name: a, displayName: A, kustomize: {defaultSource: s}, manifestFiles: [m]}",
            "is Kustomize but declares manifestFiles",
        ),
    ],
)
def test_more_registry_rejections(tmp_path: Path, component: str, message: str) -> None:
    """Upstream's load-time registry rejections."""
    root = write_catalog(tmp_path, {}, registry=f"components:\n  - {component}\n")
    with pytest.raises(RecipeLoadError, match=message):
        load_catalog(root)


@pytest.mark.skipif(os.name != "posix", reason="symlinks need a POSIX filesystem")
def test_dangling_symlink_inside_the_root_is_a_read_error(tmp_path: Path) -> None:
    """A symlink to a missing file is reported as unreadable, with its path."""
    root = write_catalog(tmp_path, {})
    (root / "overlays" / "gone.yaml").symlink_to(root / "overlays" / "missing.yaml")
    with pytest.raises(RecipeLoadError, match=r"failed to read overlays/gone\.yaml"):
        load_catalog(root)


def test_registry_lookup_helpers(shipped: Catalog) -> None:
    """Registry entries and positions are found by name; unknown names fall back to the file."""
    assert shipped.registry is not None
    assert shipped.registry.get("gpu-operator") is not None
    assert shipped.registry.locate_component("gpu-operator", "helm").line > 1
    assert shipped.registry.locate_component("nope") == shipped.registry.locate()
    assert shipped.registry.locate("components").line > 1
    assert shipped.get("base") is shipped.base
    assert shipped.read_text("components/gpu-operator/values.yaml") == shipped.read_text(
        "components/gpu-operator/values.yaml"
    )


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    """FIFOs and devices (or in-root symlinks to them) fail at once instead of hanging or reading forever."""
    from l40_recipes._walk import read_regular_file  # noqa: PLC0415

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        read_regular_file(str(fifo))
    with pytest.raises(OSError, match="NUL"):
        read_regular_file(str(tmp_path / "a\0b"))
    (tmp_path / "plain").write_bytes(b"x")
    assert read_regular_file(str(tmp_path / "plain")) == b"x"


def test_a_fifo_health_check_is_not_read(tmp_path: Path) -> None:
    """A health-check file that is a FIFO is an INTERNAL error at resolve time, not a hang."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")})
    target = root / "checks" / "gpu-operator" / "health-check.yaml"
    target.unlink()
    os.mkfifo(target)
    with pytest.raises(RecipeError, match="not a regular file") as caught:
        load_catalog(root).read_text("checks/gpu-operator/health-check.yaml")
    assert caught.value.code is ErrorCode.INTERNAL
    with pytest.raises(RecipeError, match="leaves the catalog root"):
        load_catalog(root).read_text("checks/\0.yaml")


def test_deep_directory_trees_are_walked_without_recursion(tmp_path: Path) -> None:
    """1,200 nested directories under overlays/ are walked (in order) without exhausting the stack."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")})
    directory = str(root / "overlays")
    for _ in range(1200):
        directory += "/d"
        os.mkdir(directory)  # noqa: PTH102
    with open(directory + "/x.yaml", "w") as stream:  # noqa: PTH123
        stream.write("kind: RecipeMetadata\nmetadata: {name: deep}\nspec: {criteria: {service: gke}}\n")
    try:
        catalog = load_catalog(root)
    finally:
        remove_deep_tree(root / "overlays" / "d")  # pytest's own clean-up of old runs recurses
    assert "deep" in catalog.overlays
    assert catalog._walked[-3].startswith("overlays/d/d/")
    assert catalog._walked.index("overlays/base.yaml") < catalog._walked.index("overlays/leaf.yaml")


def test_an_unreadable_subdirectory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A directory that cannot be listed inside the layout is skipped like upstream's walk skips nothing else."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")})
    (root / "mixins").mkdir()
    scandir = os.scandir

    def refuse(path: str) -> os._ScandirIterator[str]:
        if str(path).endswith("mixins"):
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    assert "leaf" in load_catalog(root).overlays


def test_health_check_files_are_read_at_load(tmp_path: Path) -> None:
    """A loaded catalog resolves after its directory moves away: health-check files were read at load."""
    root = write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")})
    (root / "checks" / "gpu-operator" / "health-check.yaml").write_text("kind: GpuCheck\n")
    (root / "checks" / "cert-manager" / "health-check.yaml").unlink()
    catalog = load_catalog(root)
    root.rename(tmp_path / "moved")
    with pytest.raises(RecipeError) as caught:
        resolve(service="eks", catalog=catalog)
    assert caught.value.code == "INTERNAL"
    assert "health-check.yaml" in caught.value.message
    (tmp_path / "moved" / "checks" / "cert-manager" / "health-check.yaml").write_text("kind: Late\n")
    with pytest.raises(RecipeError):  # still the error recorded at load: nothing is read again
        resolve(service="eks", catalog=catalog)
    skipping = load_catalog(tmp_path / "moved")
    (tmp_path / "moved").rename(tmp_path / "again")
    refs = {ref.name: ref for ref in resolve(service="eks", catalog=skipping).component_refs}
    assert refs["gpu-operator"].health_check_asserts == "kind: GpuCheck\n"
    assert refs["cert-manager"].health_check_asserts == "kind: Late\n"


def test_positions_are_read_when_asked_when_resolving_and_at_load_for_check(tmp_path: Path) -> None:
    """Resolving seldom needs a position, so a catalog loaded for it reads them on demand; `check()` needs them."""
    root = write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")})
    resolving, checking = load_catalog(root), load_catalog_for_check(root)
    lazy, eager = resolving.overlays["leaf"].source, checking.overlays["leaf"].source
    assert _pending(lazy)
    assert not _pending(eager)
    assert resolving.registry is not None
    assert _pending(resolving.registry.source)
    assert lazy.locate(("spec", "criteria", "service")) == eager.locate(("spec", "criteria", "service"))
    assert lazy.locate(("spec", "criteria", "service")).line == 7
    assert lazy.values == eager.values
    assert not _pending(lazy)


def _pending(source: SourceMap) -> bool:
    """Whether *source* has yet to read its positions."""
    return source._fill is not None


@pytest.mark.skipif(os.name != "posix", reason="symlinks need a POSIX filesystem")
def test_health_check_files_the_walk_met_are_read_as_written_and_links_are_resolved(tmp_path: Path) -> None:
    """Only a file the walk met (no symlink on its way) skips resolving; a linked one leaving the root is refused."""
    outside = tmp_path / "outside"
    (outside / "cert-manager").mkdir(parents=True)
    (outside / "cert-manager" / "health-check.yaml").write_text("kind: Stolen\n")
    root = write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")})
    (root / "checks" / "gpu-operator" / "health-check.yaml").write_text("kind: Mine\n")
    shutil.rmtree(root / "checks" / "cert-manager")
    (root / "checks" / "cert-manager").symlink_to(outside / "cert-manager")
    catalog = load_catalog(root)
    assert catalog.read_text("checks/gpu-operator/health-check.yaml") == "kind: Mine\n"
    with pytest.raises(RecipeError, match="leaves the catalog root"):
        catalog.read_text("checks/cert-manager/health-check.yaml")
    draft = CatalogDraft.of(catalog)
    assert "checks/gpu-operator/health-check.yaml" in draft.plain
    assert "checks/cert-manager" not in draft.plain
    assert "checks/cert-manager" in draft.links
