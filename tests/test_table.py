"""`resolve --format table`: byte-identical to upstream's table writer."""

from __future__ import annotations

from pathlib import Path

from l40_recipes import resolve
from l40_recipes._loading import load_catalog
from l40_recipes._table import to_table

from .conftest import overlay, write_catalog

#: Observed from upstream's binary at 9793720d (`aicr recipe --service eks --nodes 0x10 -t table`, with the
#: catalog below as its embedded data): nil lists `null`, an explicitly empty list `[]`, unset pointers
#: `<nil>`, maps as compact JSON with `&` escaped, a string with a newline JSON-quoted, empty strings padded.
EXPECTED = Path(__file__).parent / "snapshots" / "table-upstream-9793720d.txt"

BODY = """\
componentRefs:
  - name: gpu-operator
    overrides: {driver: {enabled: false, note: "a & b"}, z: [1, 2.5]}
validation:
  deployment:
    checks: [operator-health]
    nodeSelection: {selector: {pool: gpu}, maxNodes: 4}
  performance:
    checks: []
"""


def test_table_is_byte_identical_to_upstream(tmp_path: Path) -> None:
    """Every Go field, sorted, aligned as text/tabwriter aligns them."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks\n    nodes: 0", body=BODY)})
    recipe = resolve({"service": "eks", "nodes": 16}, catalog=load_catalog(root), version="dev")
    assert to_table(recipe) == EXPECTED.read_text()


def test_a_tab_is_json_escaped_and_unset_fields_show_zero_values(tmp_path: Path) -> None:
    """A plain string holding a tab is a JSON string; an unset pointer is `<nil>`, an unset int `0`."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")})
    recipe = resolve({"service": "eks"}, catalog=load_catalog(root), version="a\tb")
    rows = dict(line.split(maxsplit=1) for line in to_table(recipe).splitlines() if len(line.split()) == 2)
    assert rows["Metadata.Version"] == '"a\\tb"'
    assert rows["Configuration"] == "<nil>"
    assert rows["Criteria.Nodes"] == "0"


def test_a_map_without_json_form_prints_as_go_prints_it(tmp_path: Path) -> None:
    """Where JSON fails (infinities, NaN), upstream's table falls back to Go's `%v`: observed at 9793720d."""
    body = (
        "componentRefs:\n  - name: gpu-operator\n    overrides: {a: .inf, n: -.inf, q: .nan, "
        "b: {c: [1, x, 1000000.0, 1.5e-7, 123456.5, true, null, '']}, A: 2}\n"
    )
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body=body)})
    recipe = resolve({"service": "eks"}, catalog=load_catalog(root), version="dev")
    rows = dict(line.split(maxsplit=1) for line in to_table(recipe).splitlines() if len(line.split()) >= 2)
    assert (
        rows["ComponentRefs.[1].Overrides"]
        == "map[A:2 a:+Inf b:map[c:[1 x 1e+06 1.5e-07 123456.5 true <nil> ]] n:-Inf q:NaN]"
    )
