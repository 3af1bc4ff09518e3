"""The model base: pydantic's model API on pydantic-core alone, frozen values, no pydantic import."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from typing import Annotated, Any, ClassVar

import pydantic
import pytest
from pydantic_core import ValidationError

from l40_recipes._model_base import BeforeValidator, Field, Model, ModelConfig, to_camel


def _blank_is_zero(value: Any) -> Any:
    return 0 if value is None else value


class Leaf(Model):
    model_config: ClassVar[ModelConfig] = {"extra": "allow", "alias_generator": to_camel}

    leaf_name: str = ""
    count: Annotated[int, BeforeValidator(_blank_is_zero)] = 0


class Tree(Model):
    """A tree with leaves."""

    model_config: ClassVar[ModelConfig] = {"alias_generator": to_camel}

    title: str
    leaves: list[Leaf] = Field(default_factory=list)
    best: Leaf | None = None
    odd_key: bool = Field(default=False, key="oddKEY")


class Bigger(Tree):
    extra_note: str = "note"


def test_validation_by_name_and_by_key() -> None:
    """Fields are read by name or by key; nested models and before-validators apply."""
    tree = Tree.model_validate({"title": "t", "leaves": [{"leafName": "a", "count": None}], "oddKEY": True})
    assert tree.leaves == [Leaf(leaf_name="a")]
    assert tree.odd_key is True
    assert Tree(title="t", odd_key=True) == Tree.model_validate({"title": "t", "oddKEY": True})
    with pytest.raises(ValidationError, match="leafName"):
        Tree.model_validate({"title": "t", "leaves": [{"leafName": 1}]}, by_alias=True, by_name=False)


def test_required_fields_and_inheritance() -> None:
    """A field without a default is required; a subclass keeps its base's fields first."""
    with pytest.raises(ValidationError, match="title"):
        Tree.model_validate({})
    assert list(Bigger.model_fields) == ["title", "leaves", "best", "odd_key", "extra_note"]
    assert Bigger(title="t").extra_note == "note"
    assert Tree.model_fields["leaves"].get_default() == []
    assert not Tree.model_fields["leaves"].is_required()
    assert Tree.model_fields["title"].is_required()
    assert "title" in repr(Tree.model_fields["title"])


def test_unknown_keys_are_kept_only_where_allowed() -> None:
    """`extra: allow` keeps unknown keys in model_extra; other models drop them."""
    leaf = Leaf.model_validate({"leafName": "a", "zz": 1})
    assert leaf.model_extra == {"zz": 1}
    assert Tree.model_validate({"title": "t", "zz": 1}).model_extra is None
    assert leaf.model_fields_set == {"leaf_name", "zz"}  # as pydantic counts them


def test_frozen_values_compare_and_hash() -> None:
    """Instances cannot change; equal fields (and extras) make equal, equally hashed values."""
    leaf = Leaf(leaf_name="a")
    field = "count"
    with pytest.raises(AttributeError, match="frozen"):
        setattr(leaf, field, 2)
    with pytest.raises(AttributeError, match="frozen"):
        del leaf.count
    assert leaf == Leaf(leaf_name="a")
    assert hash(leaf) == hash(Leaf(leaf_name="a"))
    assert leaf != Leaf.model_validate({"leafName": "a", "zz": 1})
    assert leaf != Bigger(title="a")
    assert (leaf == "a") is False


def test_copy_updates_fields_and_extras() -> None:
    """model_copy shares what it does not replace; unknown keys go to the extras where allowed."""
    tree = Tree(title="t", leaves=[Leaf(leaf_name="a")])
    copied = tree.model_copy(update={"title": "u"})
    assert (copied.title, copied.leaves) == ("u", tree.leaves)
    assert copied.leaves is tree.leaves
    assert copied.model_fields_set == {"title", "leaves"}
    deep = tree.model_copy(deep=True)
    assert deep == tree
    assert deep.leaves is not tree.leaves
    leaf = Leaf(leaf_name="a").model_copy(update={"zz": 2})
    assert leaf.model_extra == {"zz": 2}


def test_construct_without_validation() -> None:
    """model_construct takes names or keys, fills defaults and keeps unknown keys where allowed."""
    leaf = Leaf.model_construct(leafName="a", zz=3)
    assert (leaf.leaf_name, leaf.count, leaf.model_extra) == ("a", 0, {"zz": 3})
    assert leaf.model_fields_set == {"leaf_name"}
    tree = Tree.model_construct(title="t", unknown=1)
    assert tree.model_extra is None
    assert tree.leaves == []
    assert Tree.model_construct(_fields_set={"best"}).model_fields_set == {"best"}
    assert Leaf.model_construct(leaf_name="b").leaf_name == "b"


def test_dump_and_json_round_trip() -> None:
    """model_dump and model_dump_json write keys (the config says so); JSON reads back equal."""
    tree = Tree(title="t", leaves=[Leaf(leaf_name="a", count=2)], odd_key=True)
    assert tree.model_dump(by_alias=True) == {
        "title": "t",
        "leaves": [{"leafName": "a", "count": 2}],
        "best": None,
        "oddKEY": True,
    }
    assert tree.model_dump(include={"title"}) == {"title": "t"}
    assert Tree.model_validate_json(tree.model_dump_json()) == tree
    assert '"oddKEY":true' in tree.model_dump_json(by_alias=True)


def test_repr_str_iteration_pickle_and_copies() -> None:
    """The value behaves like a pydantic model for printing, iterating, pickling and copying."""
    leaf = Leaf.model_validate({"leafName": "a", "zz": 1})
    assert repr(leaf) == "Leaf(leaf_name='a', count=0, zz=1)"
    assert str(leaf) == "leaf_name='a' count=0 zz=1"
    assert dict(leaf) == {"leaf_name": "a", "count": 0, "zz": 1}
    for clone in (pickle.loads(pickle.dumps(leaf)), copy.copy(leaf), copy.deepcopy(leaf)):
        assert clone == leaf
        assert clone.model_extra == {"zz": 1}
        assert clone.model_fields_set == {"leaf_name", "zz"}


def test_a_pydantic_model_can_hold_one() -> None:
    """A user's pydantic model (or TypeAdapter) validates a field of this base's type."""

    class Holder(pydantic.BaseModel):
        tree: Tree

    holder = Holder.model_validate({"tree": {"title": "t", "oddKEY": True}})
    assert holder.tree == Tree(title="t", odd_key=True)
    assert Tree.model_json_schema()["description"] == "A tree with leaves."


def test_the_library_path_never_imports_pydantic() -> None:
    """Loading a catalog, resolving a query and writing the recipe import pydantic-core only."""
    code = (
        "import sys\n"
        "from l40_recipes import resolve\n"
        "recipe = resolve(service='eks', accelerator='l40s', intent='inference', os='ubuntu')\n"
        "recipe.to_yaml(); recipe.to_json()\n"
        "print('pydantic' in sys.modules, 'pydantic_core' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
