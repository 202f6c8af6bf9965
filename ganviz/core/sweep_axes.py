"""The variants of a sweep or a comparison: ``--vary NAME=V1,V2,...`` (one or two
settings) parsed and checked, every combination a :class:`Variant`. Free of torch: the
window's chooser checks what is typed as it is typed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from ganviz.core import config, presets

MAX_TOY_VARIANTS, MAX_MNIST_VARIANTS = 64, 4


@dataclass(frozen=True)
class Variant:
    """One combination: its name as given on the command line ("lr_d=3e-4,k=2") and the
    settings it changes."""

    name: str
    changes: dict


def variants(axes: list[str], preset: str, option: str = "--vary") -> list[Variant]:
    """The variants of ``--vary NAME=V1,V2,...`` (one text per axis), every combination,
    checked as ``--set`` is; SettingError (one line, naming ``option``) for bad input."""
    mode = presets.get(preset).mode
    parsed = []
    for text in axes:
        name, sep, values = text.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise config.SettingError(f"{option} expects NAME=V1,V2,..., got {text!r}")
        setting = config.lookup(name.strip())
        if setting.name in [axis[0] for axis in parsed]:
            raise config.SettingError(f"{option}: {setting.name} is varied twice")
        given = [v.strip() for v in values.split(",")]
        if len(set(given)) != len(given) or "" in given:
            raise config.SettingError(f"{option} {setting.name}: each value once, none empty")
        parsed.append((setting.name, name.strip(),
                       [(v, config.validate({setting.name: setting.parse(v)}, mode)
                         [setting.name]) for v in given]))
    if not 1 <= len(parsed) <= 2:
        raise config.SettingError(f"{option}: {len(parsed)} settings; vary one or two")
    made = [Variant(",".join(f"{shown}={text}" for (_, shown, _), (text, _) in
                             zip(parsed, combo, strict=True)),
                    {name: value for (name, _, _), (_, value) in zip(parsed, combo, strict=True)})
            for combo in itertools.product(*(axis[2] for axis in parsed))]
    limit = MAX_MNIST_VARIANTS if mode == "mnist" else MAX_TOY_VARIANTS
    if not 2 <= len(made) <= limit:
        raise config.SettingError(f"{option}: {len(made)} variants; expected 2 to {limit} for "
                                  f"a {mode} preset")
    return made


def checked_variants(axes: list[str], preset: str, base: dict, option: str) -> list:
    """The variants of ``axes``, each checked as a whole run from ``base`` (settings that
    do not fit together, as stratified noise on a 2-D preset): SettingError otherwise."""
    made = variants(axes, preset, option)
    mode = presets.get(preset).mode
    for variant in made:
        try:
            config.check_consistency(config.validate({**base, **variant.changes}, mode))
        except config.SettingError as error:
            raise config.SettingError(f"{option} {variant.name}: {error}") from None
    return made
