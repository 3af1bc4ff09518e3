"""Evaluating one constraint against a snapshot (upstream `constraints.Evaluate`, `measurement.Path.Extract`).

The constraint's name is a measurement path; the reading it names is printed as upstream prints it
and compared with the constraint's value, a compound expression (`>= 1.30 < 2.0 || == 0.9`: `||`
between alternatives, terms of one alternative separated by white space before an operator). A
reading the snapshot lacks is `NOT_FOUND` (the overlay is excluded, with a warning); an expression
or comparison that fails is an error. `NodeTopology.gpu-nodes.label` is a node-set match of its own
(`_gpu_nodes.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._errors import ErrorCode, RecipeError
from ._measurement import split_path
from ._snapshot import reading_text
from ._versions import ConstraintExpression, parse_constraint

if TYPE_CHECKING:
    from ._models import Constraint
    from ._snapshot import Item, Snapshot, Subtype

__all__ = ["Evaluation", "evaluate", "is_not_found", "parse_compound"]

GPU_NODES_LABEL: Final = "NodeTopology.gpu-nodes.label"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Whether a constraint passed, the reading it saw (`""` when none), and the error, if any."""

    passed: bool
    actual: str = ""
    error: RecipeError | None = None


def is_not_found(error: RecipeError | None) -> bool:
    """Whether *error* or a cause of it is `NOT_FOUND` (upstream `errors.Is` on the code)."""
    current: BaseException | None = error
    while isinstance(current, RecipeError):
        if current.code == ErrorCode.NOT_FOUND:
            return True
        current = current.cause
    return False


def _not_found(message: str) -> RecipeError:
    return RecipeError(message, code=ErrorCode.NOT_FOUND)


def evaluate(constraint: Constraint, snapshot: Snapshot) -> Evaluation:
    """Evaluate *constraint* against *snapshot* as upstream's snapshot evaluator does (errors are returned)."""
    if constraint.name == GPU_NODES_LABEL:
        from ._gpu_nodes import evaluate_gpu_nodes_label  # noqa: PLC0415

        passed, actual, error = evaluate_gpu_nodes_label(constraint.value, snapshot)
        return Evaluation(passed, actual, error)
    try:
        path = split_path(constraint.name)
    except RecipeError as err:
        return Evaluation(
            False, error=RecipeError("invalid constraint path", code=ErrorCode.INVALID_REQUEST, cause=err)
        )
    try:
        actual = _extract(path, snapshot)
    except RecipeError as err:
        return Evaluation(False, error=RecipeError("value not found in snapshot", code=ErrorCode.NOT_FOUND, cause=err))
    try:
        alternatives = parse_compound(constraint.value)
    except RecipeError as err:
        cause = RecipeError("invalid constraint expression", code=ErrorCode.INVALID_REQUEST, cause=err)
        return Evaluation(False, actual, cause)
    try:
        passed = any(all(term.evaluate(actual) for term in terms) for terms in alternatives if terms)
    except RecipeError as err:
        return Evaluation(False, actual, err)
    return Evaluation(passed, actual)


def _extract(path: tuple[str, str, str | None, str], snapshot: Snapshot) -> str:
    type_name, subtype_name, selector, key = path
    measurement = next((m for m in snapshot.measurements if m is not None and m.type == type_name), None)
    if measurement is None:
        raise _not_found("measurement type not found in snapshot")
    subtype = measurement.subtype(subtype_name)
    if subtype is None:
        raise _not_found("subtype not found in measurement")
    if selector is not None:
        return _from_items(subtype, selector, key)
    if key not in subtype.data:
        raise _not_found("key not found in subtype")
    return reading_text(subtype.data[key])


def _from_items(subtype: Subtype, selector: str, key: str) -> str:
    items = subtype.items
    if not items:
        raise _not_found("subtype has no items but path uses an item selector")
    if "=" not in selector:
        index = int(selector)
        if index >= len(items):
            raise _not_found("item index out of bounds")
        return _item_value(items[index], key)
    wanted_key, _, wanted = selector.partition("=")
    matched = [item for item in items if _item_matches(item, wanted_key, wanted)]
    if len(matched) > 1:
        raise RecipeError("item predicate matches multiple entries", code=ErrorCode.CONFLICT)
    if not matched:
        raise _not_found("no item matches predicate")
    return _item_value(matched[0], key)


def _item_matches(item: Item, key: str, wanted: str) -> bool:
    if key in item.data:
        return reading_text(item.data[key]) == wanted
    return key in item.context and item.context[key] == wanted


def _item_value(item: Item, key: str) -> str:
    if key in item.data:
        return reading_text(item.data[key])
    if key in item.context:
        return item.context[key]
    raise _not_found("key not found in item")


def parse_compound(expression: str) -> list[list[ConstraintExpression]]:
    """Upstream `ParseCompoundConstraint`: alternatives (`||`), each a list of terms all of which must hold.

    Raises:
        RecipeError: INVALID_REQUEST with upstream's message for an empty expression, an empty
            alternative, or a term that does not parse.
    """
    text = expression.strip()
    if not text:
        raise RecipeError("constraint expression cannot be empty", code=ErrorCode.INVALID_REQUEST)
    clauses = [part.strip() for part in text.split("||")]
    if any(not clause for clause in clauses):
        message = "constraint expression contains an empty OR clause: check for leading, trailing, or consecutive pipes"
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    return [[parse_constraint(term) for term in _terms(clause)] for clause in clauses]


def _terms(clause: str) -> list[str]:
    """Split an AND clause where white space is followed by an operator character (`splitAndTerms`)."""
    terms: list[str] = []
    start = index = 0
    while index < len(clause):
        if clause[index] in " \t":
            end = index
            while end < len(clause) and clause[end] in " \t":
                end += 1
            if end < len(clause) and clause[end] in "><!=":
                term = clause[start:index].strip()
                if term:
                    terms.append(term)
                start = index = end
                continue
        index += 1
    term = clause[start:].strip()
    if term:
        terms.append(term)
    return terms
