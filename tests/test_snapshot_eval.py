"""One constraint against a snapshot: paths, item selectors, compound expressions, NOT_FOUND."""

from __future__ import annotations

import pytest

from l40_recipes._models import Constraint
from l40_recipes._snapshot import Item, Measurement, Snapshot, Subtype
from l40_recipes._snapshot_eval import evaluate, is_not_found, parse_compound

SNAPSHOT = Snapshot(
    path="s.yaml",
    kind="Snapshot",
    api_version="aicr.run/v1alpha2",
    measurements=(
        None,
        Measurement("K8s", (Subtype("server", {"version": "v1.33.5-eks-3025e55"}, {}, ()),)),
        Measurement(
            "NetworkTopology",
            (
                Subtype(
                    "pfs",
                    {},
                    {},
                    (
                        Item({"rail": "0"}, {"model": "CX7", "numaNode": 0}),
                        Item({"rail": "1"}, {"model": "CX7", "numaNode": 1}),
                    ),
                ),
            ),
        ),
        Measurement("SystemD", (Subtype("containerd.service", {"ActiveState": "active"}, {}, ()),)),
    ),
)


@pytest.mark.parametrize(
    ("name", "value", "passed", "actual"),
    [
        ("K8s.server.version", ">= 1.32.4", True, "v1.33.5-eks-3025e55"),
        ("K8s.server.version", ">= 1.34 || == 1.33.5", True, "v1.33.5-eks-3025e55"),
        ("K8s.server.version", ">= 1.30 < 1.33", False, "v1.33.5-eks-3025e55"),
        ("NetworkTopology.pfs[1].numaNode", "1", True, "1"),
        ("NetworkTopology.pfs[rail=0].model", "CX7", True, "CX7"),
        ("SystemD.containerd.service.ActiveState", "active", True, "active"),
    ],
)
def test_readings_pass_or_fail(name: str, value: str, passed: bool, actual: str) -> None:
    """Scalars, item indexes and predicates, SystemD unit names with dots; `||` alternatives and AND terms."""
    outcome = evaluate(Constraint(name=name, value=value), SNAPSHOT)
    assert (outcome.passed, outcome.actual, outcome.error) == (passed, actual, None)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("GPU.hardware.model", "measurement type not found in snapshot"),
        ("K8s.node.provider", "subtype not found in measurement"),
        ("K8s.server.platform", "key not found in subtype"),
        ("NetworkTopology.pfs[5].model", "item index out of bounds"),
        ("NetworkTopology.pfs[model=CX7].rail", "item predicate matches multiple entries"),
        ("NetworkTopology.pfs[rail=9].model", "no item matches predicate"),
    ],
)
def test_missing_readings_are_not_found(name: str, text: str) -> None:
    """Every extraction failure is wrapped as NOT_FOUND (the overlay is excluded, not the resolution failed)."""
    outcome = evaluate(Constraint(name=name, value="x"), SNAPSHOT)
    assert is_not_found(outcome.error)
    assert outcome.error is not None
    assert outcome.error.upstream_text.startswith("[NOT_FOUND] value not found in snapshot: [")
    assert outcome.error.upstream_text.endswith(text)


def test_expression_errors_are_not_not_found() -> None:
    """A broken expression or an unversioned reading under an ordering operator fails the resolution."""
    broken = evaluate(Constraint(name="K8s.server.version", value=">= 1.30 ||"), SNAPSHOT)
    assert broken.error is not None
    assert not is_not_found(broken.error)
    assert "empty OR clause" in broken.error.upstream_text
    unversioned = evaluate(Constraint(name="SystemD.containerd.service.ActiveState", value=">= 1.0"), SNAPSHOT)
    assert unversioned.error is not None
    assert "cannot parse actual version" in unversioned.error.upstream_text


def test_compound_terms_split_before_operators() -> None:
    """White space followed by an operator starts a new term; other spaces stay inside the value."""
    assert [[str(term) for term in terms] for terms in parse_compound(">= 1.2 <2 || Ubuntu 24.04")] == [
        [">= 1.2", "< 2"],
        ["Ubuntu 24.04"],
    ]
