"""The argparse parsers: `resolve`'s is built from the same flag table its words are read by."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes._cli_parser import build_parser
from l40_recipes._recipe_argv import RECIPE_FLAGS, SHARED_FLAGS, UsageError, parse_recipe_words

if TYPE_CHECKING:
    import argparse


def _options(parser: argparse.ArgumentParser) -> dict[str, str]:
    return {name: action.dest for action in parser._actions for name in action.option_strings}


@pytest.mark.parametrize("command", ["resolve", "recipe"])
def test_the_help_parser_declares_exactly_the_flags_read(command: str) -> None:
    declared = _options(build_parser().commands[command])
    table = {name: flag.dest for flag in RECIPE_FLAGS for name in flag.names}
    assert declared == {**table, "-h": "help", "--help": "help"}


@pytest.mark.parametrize("command", ["resolve", "recipe"])
def test_flags_not_given_default_as_argparse_would(command: str) -> None:
    assert vars(parse_recipe_words([])) == vars(build_parser().commands[command].parse_args([]))


@pytest.mark.parametrize("command", ["explain", "graph"])
def test_the_query_commands_share_the_table(command: str) -> None:
    declared = _options(build_parser().commands[command])
    assert {name: flag.dest for flag in SHARED_FLAGS for name in flag.names}.items() <= declared.items()


def test_a_criterion_given_twice_is_refused_by_argparse_too() -> None:
    with pytest.raises(UsageError, match="flag --service can only be specified once"):
        build_parser().parse_args(["explain", "--service", "eks", "--service", "gke"])


def test_parser_errors_exit_with_the_usage_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["check", "--format", "xml"])
    assert exited.value.code == 2
    assert "l40-recipes check: error: argument --format" in capsys.readouterr().err
