"""`l40-recipes migrate`: only the apiVersion value changes, byte for byte everything else survives."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError, RecipeLoadError, load_catalog
from l40_recipes._cli import main
from l40_recipes._migrate import Change, migrate

from .conftest import overlay, write_catalog

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


def test_check_mode_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _catalog(tmp_path)
    before = _snapshot(root)
    assert len(migrate(root, check=True)) == 5
    assert main(["migrate", "--check", str(root)]) == 1
    capsys.readouterr()
    assert _snapshot(root) == before  # same bytes, mtimes and inodes, and no new (temporary) file


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


def _snapshot(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file and link under *root*: bytes, mtime and inode, so any write (or leftover) shows."""
    return {
        str(path.relative_to(root)): (
            path.read_bytes() if path.is_file() else b"",
            path.lstat().st_mtime_ns,
            path.lstat().st_ino,
        )
        for path in sorted(root.rglob("*"))
    }


UNREWRITABLE = {
    "folded": ("apiVersion: >-\n  aicr.run/v1alpha2", 2, 13),
    "tagged": ("apiVersion: !!str aicr.run/v1alpha2", 2, 13),
    "anchored": ("apiVersion: &v aicr.run/v1alpha2", 2, 13),
    "escaped": ('apiVersion: "aicr.run\\/v1alpha2"', 2, 13),
    "literal block": ("apiVersion: |-\n  aicr.run/v1alpha2", 2, 13),
}


@pytest.mark.parametrize("header", UNREWRITABLE.values(), ids=list(UNREWRITABLE))
def test_an_unrewritable_header_fails_before_any_file_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], header: tuple[str, int, int]
) -> None:
    """The file that cannot be rewritten sorts last: the files before it must not be half-migrated."""
    text, line, column = header
    root = write_catalog(
        tmp_path, {"eks": overlay("eks"), "zz": overlay("zz").replace("apiVersion: aicr.run/v1alpha2", text)}
    )
    before = _snapshot(root)
    with pytest.raises(RecipeLoadError, match="cannot be rewritten safely") as caught:
        migrate(root)
    assert str(caught.value.location) == f"{root}/overlays/zz.yaml:{line}:{column}"
    assert "`apiVersion: aicr.run/v1beta1`" in (caught.value.hint or "")
    assert _snapshot(root) == before
    assert main(["migrate", "--check", str(root)]) == 2
    assert f"at {root}/overlays/zz.yaml:{line}:{column}" in capsys.readouterr().err
    assert main(["migrate", str(root)]) == 2
    assert _snapshot(root) == before


def test_every_unrewritable_header_is_named(tmp_path: Path) -> None:
    folded = overlay("a").replace("apiVersion: aicr.run/v1alpha2", "apiVersion: >-\n  aicr.run/v1alpha2")
    root = write_catalog(tmp_path, {"a": folded, "b": folded})
    with pytest.raises(RecipeLoadError) as caught:
        migrate(root, check=True)
    assert str(caught.value.location).endswith("overlays/a.yaml:2:13")
    assert "(and 1 more file(s); nothing was written)" in caught.value.message
    assert "also " + f"{root}/overlays/b.yaml:2:13: apiVersion" in caught.value.message


def test_a_rewrite_that_would_change_anything_else_is_refused(tmp_path: Path) -> None:
    """U+2028 is a line break to YAML, not to a byte split: the header's line would be the wrong one."""
    text = overlay("eks") + "# tail\n"
    text = text.replace("metadata:\n  name: eks\n", 'metadata: {name: "e\u2028ks"}\nxpiVersion: aicr.run/v1alpha2\n')
    text = text.replace("apiVersion: aicr.run/v1alpha2\n", "")
    text = text.replace(
        'metadata: {name: "e\u2028ks"}\n', 'metadata: {name: "e\u2028ks"}\napiVersion: aicr.run/v1alpha2\n'
    )
    root = write_catalog(tmp_path, {"eks": text})
    before = _snapshot(root)
    with pytest.raises(RecipeLoadError, match="would read differently beyond its apiVersion"):
        migrate(root)
    assert _snapshot(root) == before


def test_a_flow_mapping_header_is_rewritten_and_verified(tmp_path: Path) -> None:
    flow = "{kind: RecipeMixin, apiVersion: aicr.run/v1alpha2, metadata: {name: m}, spec: {}}\n"
    root = write_catalog(tmp_path, {}, extra={"mixins/m.yaml": flow})
    changes = migrate(root)
    assert f"{root}/mixins/m.yaml:1: aicr.run/v1alpha2 -> aicr.run/v1beta1" in [str(change) for change in changes]
    assert (root / "mixins" / "m.yaml").read_text() == flow.replace("v1alpha2", "v1beta1")


def test_files_are_replaced_atomically_keeping_their_mode(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks")})
    eks = root / "overlays" / "eks.yaml"
    eks.chmod(0o640)
    inode = eks.stat().st_ino
    migrate(root)
    assert eks.stat().st_mode & 0o777 == 0o640
    assert eks.stat().st_ino != inode  # a new file renamed over the old one, not rewritten in place
    assert sorted(path.name for path in (root / "overlays").iterdir()) == ["base.yaml", "eks.yaml"]


def test_a_failed_write_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks")})
    before = _snapshot(root)
    calls: list[int] = []

    def fsync(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr("l40_recipes._migrate.os.fsync", fsync)
    with pytest.raises(RecipeError, match=r"failed to write .*: No space left on device"):
        migrate(root)
    after = _snapshot(root)
    # The directory's own mtime moves (a staged file came and went); every file is as it was.
    assert {name: after[name] for name in before if name != "overlays"} == {
        name: state for name, state in before.items() if name != "overlays"
    }
    assert after.keys() == before.keys()


def test_an_unreadable_recipe_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks")})
    os.mkfifo(root / "overlays" / "pipe.yaml")
    with pytest.raises(RecipeLoadError, match=r"failed to read .*pipe\.yaml"):
        migrate(root, check=True)


def test_a_symlink_out_of_the_catalog_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The loader refuses a link that leaves the root; migrate neither follows nor writes through it."""
    outside = tmp_path / "outside.yaml"
    outside.write_text(overlay("linked"))
    root = write_catalog(tmp_path / "recipes", {})
    (root / "overlays" / "linked.yaml").symlink_to(outside)
    before = _snapshot(root)
    with pytest.raises(
        RecipeLoadError, match=r"overlays/linked\.yaml is a symlink that leaves the catalog root"
    ) as caught:
        migrate(root)
    assert str(caught.value.location) == f"{root}/overlays/linked.yaml"
    assert _snapshot(root) == before
    assert outside.read_text() == overlay("linked")
    assert main(["migrate", "--check", str(root)]) != 0
    assert "leaves the catalog root" in capsys.readouterr().err


def test_a_symlink_inside_the_catalog_follows_its_target(tmp_path: Path) -> None:
    """A link to a file migrated here is done with that file; a link is never written through."""
    root = write_catalog(tmp_path, {"eks": overlay("eks")})
    link = root / "overlays" / "alias.yaml"
    link.symlink_to("eks.yaml")
    changes = migrate(root)
    assert not any(change.path.endswith("alias.yaml") for change in changes)
    assert link.is_symlink()
    assert "aicr.run/v1beta1" in link.read_text()
    assert migrate(root, check=True) == []


def test_a_symlink_to_a_file_migrate_does_not_rewrite_is_an_error(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {})
    (root / "shared").mkdir()
    (root / "shared" / "eks.yaml").write_text(overlay("eks"))
    (root / "overlays" / "eks.yaml").symlink_to("../shared/eks.yaml")
    before = _snapshot(root)
    with pytest.raises(RecipeLoadError, match="points at a file migrate does not rewrite"):
        migrate(root, check=True)
    assert _snapshot(root) == before
    # Once the file it points at reads for 1.0, the link is no longer a problem.
    (root / "shared" / "eks.yaml").write_text(overlay("eks", api_version="aicr.run/v1beta1"))
    assert [change.path.rsplit("/", 1)[-1] for change in migrate(root)] == ["base.yaml", "registry.yaml"]


@pytest.mark.parametrize("layout", ["empty", "unrelated", "overlays only, empty"])
def test_a_directory_that_is_not_a_catalog_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    if layout == "unrelated":
        (tmp_path / "notes.yaml").write_text("apiVersion: aicr.run/v1alpha2\n")
    elif layout == "overlays only, empty":
        (tmp_path / "overlays").mkdir()
    with pytest.raises(RecipeError, match=r"is not a catalog|holds no overlay") as caught:
        migrate(tmp_path, check=True)
    assert caught.value.code == "INVALID_REQUEST"
    for argv in (["migrate", "--check", str(tmp_path)], ["migrate", str(tmp_path)]):
        assert main(argv) == 2
        assert "[INVALID_REQUEST]" in capsys.readouterr().err


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
