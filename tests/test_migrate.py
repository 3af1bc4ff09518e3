"""`l40-recipes migrate`: only the apiVersion value changes, byte for byte everything else survives."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError, RecipeLoadError, load_catalog
from l40_recipes._cli import main
from l40_recipes._migrate import Change, migrate

from .conftest import MINIMAL_BASE, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

PROFILE_OVERLAY = """\
# A profile overlay: its header moves to the profile track.
kind: RecipeMetadata
apiVersion: "aicr.run/v1alpha3"   # quoted, with a comment
metadata:
  name: gke
spec:
  criteria:
    service: gke
  profile:
    name: gpuStack
    default: managed
    values:
      managed: {}
"""


def _catalog(tmp_path: Path) -> Path:
    root = write_catalog(
        tmp_path / "recipes",
        {"eks": overlay("eks", criteria="service: eks"), "gke": PROFILE_OVERLAY},
        extra={
            "mixins/m.yaml": "kind: RecipeMixin\napiVersion: 'aicr.run/v1alpha2'\nmetadata:\n  name: m\nspec: {}\n",
            "overlays/notes.yaml": "kind: ConfigMap\napiVersion: v1\n",
            "overlays/headless.yaml": "kind: RecipeMetadata\nmetadata:\n  name: headless\n",
            "overlays/list.yaml": "- kind: RecipeMetadata\n",
        },
    )
    eks = root / "overlays" / "eks.yaml"
    eks.write_bytes(eks.read_bytes().replace(b"\n", b"\r\n"))
    return root


def test_headers_move_to_1_0_and_nothing_else_changes(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    before = {path: path.read_bytes() for path in root.rglob("*.yaml")}
    changes = migrate(root)
    assert [str(change) for change in changes] == [
        f"{root}/mixins/m.yaml:2: aicr.run/v1alpha2 -> aicr.run/v1beta1",
        f"{root}/overlays/base.yaml:2: aicr.run/v1alpha2 -> aicr.run/v1beta1",
        f"{root}/overlays/eks.yaml:2: aicr.run/v1alpha2 -> aicr.run/v1beta1",
        f"{root}/overlays/gke.yaml:3: aicr.run/v1alpha3 -> aicr.run/v1beta2",
        f"{root}/registry.yaml:1: aicr.run/v1alpha2 -> aicr.run/v1beta1",
    ]
    for path, old in before.items():
        new = path.read_bytes()
        expected = old.replace(b"aicr.run/v1alpha2", b"aicr.run/v1beta1").replace(
            b"aicr.run/v1alpha3", b"aicr.run/v1beta2"
        )
        assert new == expected, path
    assert b"\r\n" in (root / "overlays" / "eks.yaml").read_bytes()
    assert b'apiVersion: "aicr.run/v1beta2"   # quoted, with a comment' in (root / "overlays" / "gke.yaml").read_bytes()
    (root / "overlays" / "headless.yaml").unlink()
    (root / "overlays" / "list.yaml").unlink()
    assert load_catalog(root).aicr_version.name == "1.0"
    assert migrate(root) == []


def test_check_mode_writes_nothing(tmp_path: Path) -> None:
    root = _catalog(tmp_path)
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}
    assert len(migrate(root, check=True)) == 5
    assert {path: path.read_bytes() for path in root.rglob("*") if path.is_file()} == before


def test_cli_check_exits_1_until_migrated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _catalog(tmp_path)
    assert main(["migrate", "--check", str(root)]) == 1
    out, err = capsys.readouterr()
    assert out.count(" -> aicr.run/v1beta") == 5
    assert "would rewrite 5 header(s) for aicr 1.0" in err
    assert main(["migrate", "--to", "1.0", str(root)]) == 0
    assert "rewrote 5 header(s)" in capsys.readouterr().err
    assert main(["migrate", "--check", str(root)]) == 0


def test_cli_reports_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", str(tmp_path / "missing")]) == 3
    assert "is not a directory" in capsys.readouterr().err


def test_legacy_headers_are_reported_not_rewritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`aicr.nvidia.com/v1alpha1` predates the 0.20 schema: a header rewrite would not make it 1.0."""
    legacy = overlay("old", api_version="aicr.nvidia.com/v1alpha1")
    root = write_catalog(tmp_path, {"old": legacy})
    changes = migrate(root)
    (note,) = [change for change in changes if change.note]
    assert note.path.endswith("overlays/old.yaml")
    assert note.new == ""
    assert "rewrite the file by hand" in str(note)
    assert (root / "overlays" / "old.yaml").read_text() == legacy
    # Nothing left to rewrite, but the catalog is still not one aicr 1.0 reads: both modes say so.
    assert main(["migrate", "--check", str(root)]) == 1
    assert "predates aicr 0.20" in capsys.readouterr().err
    assert main(["migrate", str(root)]) == 1


def test_kindless_overlays_are_reported_not_rewritten(tmp_path: Path) -> None:
    """0.20 reads a kind-less overlay as RecipeMetadata; 1.0 requires the kind, so the author adds it."""
    kindless = overlay("eks", criteria="service: eks").replace("kind: RecipeMetadata\n", "")
    root = write_catalog(
        tmp_path,
        {"eks": kindless, "other": "apiVersion: example.com/v1\n"},
        extra={"mixins/m.yaml": "apiVersion: aicr.run/v1alpha2\nmetadata:\n  name: m\n"},
    )
    (root / "registry.yaml").write_text((root / "registry.yaml").read_text().replace("kind: ComponentRegistry\n", ""))
    notes = [change for change in migrate(root) if change.note]
    assert [(note.path.rsplit("/", 1)[-1], note.line) for note in notes] == [
        ("m.yaml", 1),
        ("eks.yaml", 1),
        ("registry.yaml", 1),
    ]
    assert [note.note.split("`")[1] for note in notes] == [
        "kind: RecipeMixin",
        "kind: RecipeMetadata",
        "kind: ComponentRegistry",
    ]
    assert (root / "overlays" / "eks.yaml").read_text() == kindless


def test_broken_file_stops_before_anything_is_written(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks"), "zz": "kind: RecipeMetadata\napiVersion: [\n"})
    before = (root / "overlays" / "base.yaml").read_bytes()
    with pytest.raises(RecipeLoadError):
        migrate(root)
    assert (root / "overlays" / "base.yaml").read_bytes() == before


def test_a_header_spread_over_lines_is_left_to_the_author(tmp_path: Path) -> None:
    base = MINIMAL_BASE.replace("apiVersion: aicr.run/v1alpha2", "apiVersion: >-\n  aicr.run/v1alpha2")
    root = write_catalog(tmp_path, {}, base=base)
    with pytest.raises(RecipeLoadError, match="is not written on one line"):
        migrate(root)


def test_symlinked_files_are_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(overlay("linked"))
    root = write_catalog(tmp_path / "recipes", {})
    (root / "overlays" / "linked.yaml").symlink_to(outside)
    changes = migrate(root)
    assert changes
    assert not any(change.path.endswith("linked.yaml") for change in changes)
    assert outside.read_text() == overlay("linked")


def test_unknown_target_and_non_catalog_paths(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match=r"cannot migrate to aicr '0\.20'; supported: 1\.0"):
        migrate(tmp_path, to="0.20")
    with pytest.raises(RecipeError, match=r"cannot migrate to aicr 'x'"):
        migrate(tmp_path, to="x")
    with pytest.raises(RecipeError, match="is not a directory"):
        migrate(tmp_path / "nope")


def test_overlays_directory_names_its_catalog(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "recipes", {})
    assert [change.path.rsplit("/", 1)[-1] for change in migrate(root / "overlays", check=True)] == [
        "base.yaml",
        "registry.yaml",
    ]
    assert str(Change("a.yaml", 1, "x", "y")) == "a.yaml:1: x -> y"
