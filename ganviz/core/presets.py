"""Named starting points: a data mode plus the settings that differ from the defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from ganviz.core import config


@dataclass(frozen=True)
class Preset:
    name: str
    mode: str  # "1d" for now; "mnist" and "2d" arrive with their issues
    description: str  # two sentences, shown in the window and by `ganviz presets`
    overrides: dict[str, int | float] = field(default_factory=dict)

    def settings(self) -> dict[str, int | float]:
        values = config.defaults()
        values.update(config.validate(self.overrides))
        return values


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "gaussian",
            "1d",
            "Real data N(4, 0.5); generator and discriminator are small MLPs trained with "
            "the non-saturating loss and Adam. The generator's density slides onto the "
            "real one while D(x) flattens to 0.5.",
        ),
    )
}

DEFAULT_PRESET = "gaussian"


def get(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise config.SettingError(f"unknown preset {name!r}; known presets: {known}") from None
