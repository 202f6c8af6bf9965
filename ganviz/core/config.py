"""Settings: one schema for the window, the headless command and the trainer.

Every setting is described once here (name, type, range, when it applies, help), so the
control panel, ``ganviz train --set``, ``ganviz train --help`` and the trainer's
validation cannot disagree. This module imports neither torch nor Qt: the window
builds its controls from it before torch has finished loading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """A bad setting value. ``str()`` is one line naming the setting and what is allowed."""


@dataclass(frozen=True)
class Setting:
    """Description of one user-facing setting."""

    name: str
    label: str
    kind: type  # int or float
    default: float | int
    minimum: float | int
    maximum: float | int
    help: str
    live: bool = True  # applied between two training steps; False: applied on Reset
    log_scale: bool = False  # edited by factors (learning rates), not by steps
    group: str = "Training"
    modes: tuple[str, ...] = ("1d", "mnist")  # the data modes it exists in

    def allowed(self) -> str:
        """Human description of the allowed values, used in every error message."""
        if self.kind is int:
            return f"a whole number from {self.minimum} to {self.maximum}"
        return f"a number from {self.minimum:g} to {self.maximum:g}"

    def validate(self, value: Any) -> int | float:
        """Return ``value`` converted to this setting's type, or raise SettingError."""
        if isinstance(value, bool):
            raise SettingError(f"{self.name}: expected {self.allowed()}, got {value!r}")
        if isinstance(value, str):
            return self.parse(value)
        if self.kind is int:
            if isinstance(value, float):
                if not math.isfinite(value) or value != int(value):
                    raise SettingError(f"{self.name}: expected {self.allowed()}, got {value!r}")
                value = int(value)
            if not isinstance(value, int):
                raise SettingError(f"{self.name}: expected {self.allowed()}, got {value!r}")
        else:
            if not isinstance(value, (int, float)):
                raise SettingError(f"{self.name}: expected {self.allowed()}, got {value!r}")
            value = float(value)
            if not math.isfinite(value):
                raise SettingError(f"{self.name}: expected {self.allowed()}, got {value}")
        if not self.minimum <= value <= self.maximum:
            raise SettingError(f"{self.name}: {value:g} is out of range; expected {self.allowed()}")
        return value

    def parse(self, text: str) -> int | float:
        """Parse a value typed by a user (``--set name=text``)."""
        text = text.strip()
        try:
            number: float | int = int(text) if self.kind is int else float(text)
        except ValueError:
            # "1e3" is a fine way to type a whole number; "2.5" is not.
            try:
                number = float(text)
            except ValueError:
                raise SettingError(
                    f"{self.name}: {text!r} is not a number; expected {self.allowed()}"
                ) from None
        return self.validate(number)


# The order here is the order of the controls in the window and of `ganviz train --help`.
SETTINGS: tuple[Setting, ...] = (
    Setting("lr_d", "Learning rate D", float, 1e-3, 1e-5, 1.0, log_scale=True,
            help="Step size of the discriminator's optimiser. Applied at once; Adam keeps "
                 "its moment estimates."),
    Setting("lr_g", "Learning rate G", float, 1e-3, 1e-5, 1.0, log_scale=True,
            help="Step size of the generator's optimiser. Applied at once; Adam keeps "
                 "its moment estimates."),
    Setting("k", "D steps per iteration (k)", int, 1, 1, 20,
            help="Discriminator updates in each iteration, before the generator's (k of "
                 "Algorithm 1 in Goodfellow et al. 2014; also accepted as k_d)."),
    Setting("k_g", "G steps per iteration", int, 1, 1, 20,
            help="Generator updates in each iteration, after the discriminator's (the "
                 "DCGAN tutorial of the seed systems uses 2)."),
    Setting("lr_decay", "LR decay factor", float, 1.0, 0.01, 1.0,
            help="Staircase decay of both learning rates (as in the 1-D tutorial S1): "
                 "multiplied by this factor every 'LR decay every' iterations; 1 = none."),
    Setting("lr_decay_every", "LR decay every", int, 1000, 1, 1_000_000,
            help="Iterations between two learning-rate decay steps."),
    Setting("batch_size", "Batch size", int, 64, 1, 4096,
            help="Real and fake samples per step, for both networks. Applied at once."),
    Setting("ema", "Generator EMA decay", float, 0.999, 0.0, 0.9999,
            help="The generator drawn and measured is an exponential moving average of the "
                 "trained generator's weights (0 = the trained weights themselves). "
                 "Averaging removes the oscillation around the equilibrium."),
    Setting("target_mean", "Target mean", float, 4.0, -50.0, 50.0, group="Target", modes=("1d",),
            help="Mean of the real data N(mean, sigma). Applied at once: watch the "
                 "generator follow."),
    Setting("target_sigma", "Target sigma", float, 0.5, 0.01, 20.0, group="Target",
            modes=("1d",),
            help="Standard deviation of the real data. Applied at once."),
    Setting("seed", "Random seed", int, 0, 0, 2**31 - 1, live=False, group="Model",
            help="Seeds the weights, the noise and the real samples. Applied on Reset."),
    Setting("hidden_width", "Hidden units", int, 32, 2, 512, live=False, group="Model",
            modes=("1d",),
            help="Units in each hidden layer of both networks. Applied on Reset."),
    Setting("hidden_layers", "Hidden layers", int, 2, 1, 6, live=False, group="Model",
            modes=("1d",), help="Hidden layers of both networks. Applied on Reset."),
    Setting("latent_dim", "Latent size", int, 64, 1, 512, live=False, group="Model",
            modes=("mnist",),
            help="Dimension of the generator's noise input z. Applied on Reset."),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Aliases accepted wherever a setting name is typed.
ALIASES = {"k_d": "k"}


def lookup(name: str) -> Setting:
    """Find a setting by name, or raise SettingError listing the known names."""
    name = ALIASES.get(name, name)
    try:
        return SETTINGS_BY_NAME[name]
    except KeyError:
        known = ", ".join(SETTINGS_BY_NAME)
        raise SettingError(f"unknown setting {name!r}; known settings: {known}") from None


def settings_for(mode: str) -> tuple[Setting, ...]:
    return tuple(s for s in SETTINGS if mode in s.modes)


def defaults(mode: str = "1d") -> dict[str, int | float]:
    return {s.name: s.default for s in settings_for(mode)}


def validate(values: dict[str, Any], mode: str | None = None) -> dict[str, int | float]:
    """Validate a partial mapping of settings; returns the converted values.

    With ``mode``, a setting that does not exist in that mode is refused.
    """
    result = {}
    for name, value in values.items():
        setting = lookup(name)
        if mode is not None and mode not in setting.modes:
            names = ", ".join(s.name for s in settings_for(mode))
            raise SettingError(
                f"{setting.name}: not a setting of {mode} presets; their settings: {names}"
            )
        result[setting.name] = setting.validate(value)
    return result


def parse_assignment(text: str) -> tuple[str, int | float]:
    """Parse ``name=value`` as typed after ``--set``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise SettingError(f"--set expects name=value, got {text!r}")
    setting = lookup(name.strip())
    return setting.name, setting.parse(value)


def describe_settings() -> str:
    """A table of every setting with its range, default and modes, for ``--help``."""
    lines = []
    for s in SETTINGS:
        when = "live" if s.live else "on Reset"
        rng = f"{s.minimum}..{s.maximum}" if s.kind is int else f"{s.minimum:g}..{s.maximum:g}"
        modes = "" if len(s.modes) > 1 else f", {s.modes[0]} only"
        lines.append(f"  {s.name:<14} {rng:<16} default {s.default:<8g} ({when}{modes})")
    return "\n".join(lines)
