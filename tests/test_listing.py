"""`list`: the supported queries, their overlays and targets; the README's table is its Markdown output."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from l40_recipes import load_catalog
from l40_recipes._cli import main
from l40_recipes._listing import render_listing, supported_queries, targets

from .conftest import REPO, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

SECTION = "## The shipped catalog"


def _readme_table() -> str:
    """The first Markdown table of the README's "The shipped catalog" section, with its final newline."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    lines = section.split("\n")
    start = next(index for index, line in enumerate(lines) if line.startswith("| query |"))
    end = next(index for index in range(start, len(lines)) if not lines[index].startswith("|"))
    return "\n".join(lines[start:end]) + "\n"


def test_readme_table_is_the_markdown_listing(capsys: pytest.CaptureFixture[str]) -> None:
    """`l40-recipes list --format markdown` prints the README's table byte for byte (regenerate it with that command)."""
    assert main(["list", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == _readme_table()


def test_shipped_rows() -> None:
    """Twelve accelerator-bound queries, sorted by flags, each with the machines it targets."""
    catalog = load_catalog(REPO)
    rows = supported_queries(catalog)
    assert len(rows) == 12
    assert [row.command for row in rows] == sorted(row.command for row in rows)
    assert all(not row.error for row in rows)
    by_overlay = {row.overlay: row for row in rows}
    assert by_overlay["l40-eks-inference"].targets == ("AWS g6e (1, 4 or 8 \u00d7 L40S)",)
    assert by_overlay["l40s-oke-ubuntu-inference"].targets == ("OCI BM.GPU.L40S.4 (4 \u00d7 L40S)",)
    assert "eks" not in by_overlay  # a building block, not a query anyone asks for
    assert "l40s-any" not in by_overlay


def _catalog(tmp_path: Path) -> Path:
    return write_catalog(
        tmp_path,
        {
            "family": "# l40-recipes: targets: Cloud A | size 1\n#   l40-recipes:  targets:  Cloud B  \n"
            + overlay("family", criteria="service: eks, accelerator: h100, intent: training"),
            "child": overlay(
                "child", base="family", criteria="service: eks, accelerator: h100, intent: training, os: ubuntu"
            ),
            "own": "# l40-recipes: targets: Cloud C\n"
            + overlay("own", base="family", criteria="service: eks, accelerator: h100, intent: training, os: rhel"),
            "broken": overlay("broken", base="gone", criteria="service: oke, accelerator: h100, intent: training"),
            "plain": overlay("plain", criteria="service: gke, intent: training"),
            "bare": "# l40-recipes: targets:\n"
            + overlay("bare", criteria="service: aks, accelerator: a100, intent: training"),
        },
    )


def test_targets_come_from_the_nearest_overlay_that_states_them(tmp_path: Path) -> None:
    """A child inherits its ancestor's target lines unless it states its own; a line with no text is no target."""
    rows = {row.overlay: row for row in supported_queries(load_catalog(_catalog(tmp_path)))}
    assert rows["family"].targets == ("Cloud A | size 1", "Cloud B")
    assert rows["child"].targets == ("Cloud A | size 1", "Cloud B")
    assert rows["own"].targets == ("Cloud C",)
    assert rows["bare"].targets == ()
    assert "plain" not in rows


def test_a_failing_query_is_listed_with_its_error(tmp_path: Path) -> None:
    """A supported query that does not resolve is shown with upstream's error in every format."""
    catalog = load_catalog(_catalog(tmp_path))
    rows = supported_queries(catalog)
    broken = next(row for row in rows if row.overlay == "broken")
    assert broken.applied == ()
    assert 'recipe "gone" not found' in broken.error
    text = render_listing(catalog, rows, "text")
    assert f"--service oke --accelerator h100 --intent training\n    error: {broken.error}\n" in text
    document = {row["overlay"]: row for row in json.loads(render_listing(catalog, rows, "json"))}
    assert document["broken"]["appliedOverlays"] == broken.error
    assert document["child"]["appliedOverlays"] == ["base", "family", "child"]
    assert document["child"]["targets"] == ["Cloud A | size 1", "Cloud B"]
    markdown = render_listing(catalog, rows, "markdown")
    assert f"| `--service oke --accelerator h100 --intent training` | error: {broken.error} |  |" in markdown


def test_markdown_strips_the_common_wildcard_prefix_and_escapes_pipes(tmp_path: Path) -> None:
    """Only criteria-less overlays every query applies go into the header; `|` in a cell is escaped."""
    catalog = load_catalog(_catalog(tmp_path))
    markdown = render_listing(catalog, supported_queries(catalog), "markdown")
    lines = markdown.splitlines()
    assert lines[0] == "| query | applied overlays (after `base`) | targets |"
    assert lines[1] == "|---|---|---|"
    assert (
        "| `--service eks --accelerator h100 --intent training --os ubuntu` | family, child | Cloud A \\| size 1; Cloud B |"
        in lines
    )


def test_markdown_without_targets_or_prefix(tmp_path: Path) -> None:
    """No targets anywhere: no targets column; nothing applied first by every row: a plain header."""
    root = write_catalog(
        tmp_path,
        {
            "a": overlay("a", criteria="service: eks, accelerator: h100, intent: training"),
            "b": overlay("b", base="gone", criteria="service: oke, accelerator: h100, intent: training"),
        },
    )
    catalog = load_catalog(root)
    markdown = render_listing(catalog, supported_queries(catalog), "markdown")
    assert markdown.splitlines()[:2] == ["| query | applied overlays (after `base`) |", "|---|---|"]
    only_broken = [row for row in supported_queries(catalog) if row.error]
    assert render_listing(catalog, only_broken, "markdown").splitlines()[0] == "| query | applied overlays |"


def test_a_file_gone_since_loading_has_no_targets(tmp_path: Path) -> None:
    """Targets are read from the file; a file removed after the load contributes none instead of failing."""
    root = _catalog(tmp_path)
    catalog = load_catalog(root)
    (root / "overlays" / "own.yaml").unlink()
    assert targets(catalog, ["base", "family", "own"]) == ("Cloud A | size 1", "Cloud B")
    assert targets(catalog, ["not-an-overlay"]) == ()


def test_list_command_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`list --catalog PATH` prints text (targets on their own line), JSON or Markdown; a broken catalog fails."""
    root = _catalog(tmp_path)
    assert main(["list", "--catalog", str(root)]) == 0
    out = capsys.readouterr().out
    assert (
        "--service eks --accelerator h100 --intent training --os rhel\n    base, family, own\n    targets: Cloud C\n"
        in out
    )
    assert main(["list", "--catalog", str(root), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5
    (root / "overlays" / "base.yaml").write_text("kind: [")
    assert main(["list", "--catalog", str(root)]) != 0
