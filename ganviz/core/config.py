"""Settings: one schema for the window, the headless command and the trainer.

Every setting is described once (name, type, range, when it applies, help), in
:mod:`ganviz.core.settings_table`, so the control panel, ``ganviz train --set``,
``ganviz train --help`` and the trainer's validation cannot disagree; everyone reads it
through this module. This module imports neither torch nor Qt: the window
builds its controls from it before torch has finished loading.
"""

from __future__ import annotations

from typing import Any

from ganviz.core.setting import Setting, SettingError
from ganviz.core.settings_table import (
    DATASETS_2D,
    DEVICES,
    GRID_LAYOUTS,
    LOSSES,
    NOISES,
    OPTIMIZERS,
    SETTINGS,
    TARGETS,
)

__all__ = ["ALIASES", "DATASETS_2D", "DEVICES", "GRID_LAYOUTS", "LOSSES", "NOISES",
           "OPTIMIZERS", "SETTINGS", "SETTINGS_BY_NAME", "TARGETS", "Setting", "SettingError",
           "check_consistency", "defaults", "describe_settings", "lookup", "parse_assignment",
           "relevant", "settings_for", "validate"]

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


def defaults(mode: str = "1d") -> dict[str, Any]:
    return {s.name: s.default for s in settings_for(mode)}


def validate(values: dict[str, Any], mode: str | None = None) -> dict[str, Any]:
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


def check_consistency(settings: dict[str, Any]) -> None:
    """Checks that span several settings (the mixture's lists); raises SettingError."""
    if "dataset" in settings and settings.get("noise") == "stratified":
        raise SettingError("noise: stratified is S1's 1-D noise; 2-D presets take gaussian "
                           "or uniform")
    if "mixture_means" not in settings:
        return
    count = len(settings["mixture_means"])
    for name in ("mixture_sigmas", "mixture_weights"):
        given = len(settings[name])
        if given not in (1, count):
            raise SettingError(f"{name}: {given} numbers for {count} mixture means; give 1 "
                               f"or {count}")
    if sum(settings["mixture_weights"]) <= 0:
        raise SettingError("mixture_weights: at least one weight must be above 0")


def _has_codes(settings: dict[str, Any], pending: tuple[str, ...], values_from: int) -> bool:
    """Whether the settings, or the run as built, have InfoGAN codes (a categorical code
    counts from ``values_from`` values). A code setting waiting for Reset differs from the
    run's: one set to 0 means the run still has it."""
    get = settings.get
    now = get("info_codes", 0) >= values_from or bool(get("info_continuous", 0))
    built = any(name in pending and not get(name, 0)
                for name in ("info_codes", "info_continuous"))
    return now or built


def relevant(name: str, settings: dict[str, Any], pending: tuple[str, ...] = ()) -> bool:
    """Whether a setting does anything with the others as they are (the window hides the
    rest: the gradient-penalty weight only matters for wgan-gp, say). ``pending``: the
    settings changed but waiting for Reset (the run still trains with their old values)."""
    get = settings.get
    rules = {
        "gp_weight": lambda: get("loss") == "wgan-gp",
        "gp_one_sided": lambda: get("loss") == "wgan-gp",
        "label_smoothing": lambda: get("loss") in ("minimax", "nonsaturating"),
        "adam_beta1": lambda: "adam" in (get("optimizer_d"), get("optimizer_g")),
        "adam_beta2": lambda: "adam" in (get("optimizer_d"), get("optimizer_g")),
        "momentum": lambda: "momentum" in (get("optimizer_d"), get("optimizer_g")),
        "instance_noise_steps": lambda: bool(get("instance_noise")),
        "lr_decay_every": lambda: get("lr_decay", 1.0) != 1.0,
        "mixture_means": lambda: get("target") == "mixture",
        "mixture_sigmas": lambda: get("target") == "mixture",
        "mixture_weights": lambda: get("target") == "mixture",
        "target_mean": lambda: get("target") != "mixture",
        "target_sigma": lambda: get("target") != "mixture",
        "noise_range": lambda: get("noise") != "gaussian",
        "info_weight": lambda: _has_codes(settings, pending, 1),
        "sample_grid": lambda: _has_codes(settings, pending, 2),  # one value is a constant
    }
    rule = rules.get(name)
    return rule() if rule is not None else True


def parse_assignment(text: str) -> tuple[str, Any]:
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
        if s.kind is str:
            allowed = "|".join(s.choices)
        elif s.kind is bool:
            allowed = "on|off"
        elif s.kind is tuple:
            allowed = f"list {s.minimum:g}..{s.maximum:g}"
        elif s.kind is int:
            allowed = f"{s.minimum}..{s.maximum}"
        else:
            allowed = f"{s.minimum:g}..{s.maximum:g}"
        modes = "" if len(s.modes) > 1 else f", {s.modes[0]} only"
        lines.append(f"  {s.name:<24} {allowed:<36} default {s.format(s.default):<13} "
                     f"({when}{modes})")
    return "\n".join(lines)
