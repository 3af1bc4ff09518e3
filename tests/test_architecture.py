"""The package's structure: no import cycles, small modules that say what they are, a closed public API."""

from __future__ import annotations

import ast
import importlib
import re
import typing
from pathlib import Path
from typing import Final

import pytest

import l40_recipes

PACKAGE = Path(l40_recipes.__file__).resolve().parent
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (`l40_recipes._rules.schema`)."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _imports(name: str, path: Path) -> set[str]:
    """The package modules *name* imports anywhere in its body: top level, functions, TYPE_CHECKING blocks."""
    found: set[str] = set()
    package = _package_of(name, path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # `from . import x` and `from .pkg import mod` may name modules rather than attributes.
            targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        # Importing a module first imports the packages above it, so an edge to one's own package
        # (`from . import sibling`) adds nothing; the sibling is the real target.
        found.update(
            target for target in targets if target in MODULES and target != name and not name.startswith(f"{target}.")
        )
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of *graph*, as a path that returns to its start, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_relative_imports_are_resolved() -> None:
    assert "l40_recipes._errors" in _imports("l40_recipes._report", MODULES["l40_recipes._report"])


def test_no_import_cycles() -> None:
    graph = {name: _imports(name, path) for name, path in MODULES.items()}
    assert _cycle(graph) is None


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_are_small_and_say_what_they_are(name: str) -> None:
    path = MODULES[name]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: split it along its concepts"
    docstring = ast.get_docstring(ast.parse(text))
    assert docstring, f"{name} needs a docstring saying its one concept"


#: Third parties whose typing may force a `type: ignore`; the comment after it must name which.
_FORCING: Final = ("pytest:", "types-PyYAML:")


def test_no_type_ignores_in_the_package() -> None:
    """A `type: ignore` is allowed only where a third party's typing forces it, and says which."""
    offenders = [
        f"{path.name}:{number}"
        for path in MODULES.values()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "type: ignore" in line and not any(f"  # {name}" in line.split("type: ignore", 1)[1] for name in _FORCING)
    ]
    assert offenders == []


def test_every_exported_name_imports() -> None:
    for name in l40_recipes.__all__:
        assert getattr(l40_recipes, name) is not None, name
    assert set(dir(l40_recipes)) == set(l40_recipes.__all__)


def test_type_checkers_see_what_the_package_exports() -> None:
    """The `TYPE_CHECKING` imports of `__init__` name exactly the exported names, from their modules."""
    tree = ast.parse(MODULES["l40_recipes"].read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    seen[alias.name] = f"_{statement.module}".lstrip("_")
    exported = {name for name in l40_recipes.__all__ if name != "__version__"}
    assert set(seen) == exported
    for name, module in seen.items():
        assert getattr(importlib.import_module(f"l40_recipes._{module}"), name) is getattr(l40_recipes, name)


def test_unknown_attributes_raise() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = l40_recipes.nope


def _type_names(annotation: object) -> set[str]:
    """Names of the classes an annotation mentions (a string annotation: its identifiers)."""
    if isinstance(annotation, str):
        return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", annotation))
    if typing.get_origin(annotation) is typing.Annotated:
        return _type_names(typing.get_args(annotation)[0])
    names = {annotation.__name__} if isinstance(annotation, type) else set()
    for argument in typing.get_args(annotation):
        names |= _type_names(argument)
    return names


def test_public_types_expose_only_public_types() -> None:
    """Every public attribute of every exported class is annotated with exported, builtin or standard types."""
    exported = set(l40_recipes.__all__)
    standard = {
        "Path",
        "Mapping",
        "Sequence",
        "Any",
        "Final",
        "ClassVar",
        "Literal",
        "Callable",
        "Iterator",
        "None",
        "NoneType",
    }
    for name in sorted(exported):
        cls = getattr(l40_recipes, name)
        if not isinstance(cls, type):
            continue
        fields = getattr(cls, "model_fields", None)  # pydantic models: resolved annotations
        hints = {key: info.annotation for key, info in fields.items()} if fields else dict(cls.__annotations__)
        for field, annotation in hints.items():
            if field.startswith("_"):
                continue
            words = _type_names(annotation)
            private = {word for word in words if word[:1].isupper() and word not in exported | standard}
            assert not private, f"{name}.{field}: {annotation} names {sorted(private)}"
