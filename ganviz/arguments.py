"""Command-line helpers shared by ``ganviz`` (:mod:`ganviz.cli`) and ``ganviz bench``.

A parser whose errors are one line (:class:`UsageError`, exit status 2) and the argument
types that check a value and say what is allowed.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

from ganviz.core import config, presets

T = TypeVar("T")


class UsageError(Exception):
    """Bad command-line input: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` instead of printing its usage."""

    def error(self, message: str):  # argparse's default prints the whole usage first
        # Our own messages already name the setting: drop argparse's "argument --set: ".
        for option in ("--set", "--preset", "--steps", "--seconds", "--log-every", "--num-samples",
                       "--metrics", "--save-samples", "--checkpoint", "--snapshot-every",
                       "--from-step", "--png"):
            prefix = f"argument {option}: "
            if message.startswith(prefix) and message[len(prefix):].startswith(
                (option, "unknown", *config.SETTINGS_BY_NAME)
            ):
                message = message[len(prefix):]
        raise UsageError(message)


def positive_int(name: str, maximum: int = 10**9):
    """An argument type: a whole number from 1 to ``maximum`` for the option ``name``."""

    def parse(text: str) -> int:
        value = _number(text, int, f"{name}: {text!r} is not a whole number; expected 1 to "
                        f"{maximum}")
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"{name}: {value} is out of range; expected 1 to {maximum}"
            )
        return value

    return parse


def positive_seconds(text: str) -> float:
    """The argument type of ``--seconds``: a finite positive number."""
    value = _number(text, float,
                    f"--seconds: {text!r} is not a number; expected a positive number of seconds")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"--seconds: {text} is not allowed; expected a positive number of seconds"
        )
    return value


def _number(text: str, convert: Callable[[str], T], message: str) -> T:
    """``convert(text)``; where ``text`` is not a number of that kind, one line: ``message``."""
    try:
        return convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(message) from None


def assignment(text: str) -> tuple[str, int | float]:
    """The argument type of ``--set NAME=VALUE``: the setting's name and its parsed value."""
    try:
        return config.parse_assignment(text)
    except config.SettingError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def preset_name(text: str) -> str:
    """The argument type of ``--preset``: the name of a known preset."""
    try:
        return presets.get(text).name
    except config.SettingError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def overrides(args: argparse.Namespace) -> dict[str, int | float]:
    """The settings that ``--set`` and ``--seed`` change, checked against the preset's mode
    and against what its networks can train with (before torch loads or a window opens)."""
    values = dict(args.assignments)
    if args.seed is not None:
        values["seed"] = config.lookup("seed").parse(args.seed)
    preset = presets.get(args.preset)
    values = config.validate(values, preset.mode)
    preset.check({**preset.settings(), **values})
    return values
