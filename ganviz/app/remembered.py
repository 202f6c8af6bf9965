"""What the window remembers between launches (QSettings): geometry, preset, settings.

Stored in Qt's per-user INI file (``~/.config/ganviz/ganviz.ini`` on Linux). Anything
stored that this version no longer accepts is ignored, never an error at start-up.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QSettings

from ganviz.core import config, presets


def store() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "ganviz", "ganviz")


def last_launch() -> tuple[str, dict] | None:
    """(preset, settings that differ from its defaults) of the last window, if valid."""
    values = store()
    name = values.value("preset")
    if not name or name not in presets.PRESETS:
        return None
    preset = presets.get(str(name))
    try:
        saved = json.loads(str(values.value("settings", "{}")))
        settings = config.validate({k: v for k, v in saved.items() if k != "dataset"
                                    or v != "custom"}, preset.mode)
        preset.check({**preset.settings(), **settings})  # the preset's own rules too
    except (ValueError, TypeError, AttributeError):
        return preset.name, {}
    defaults = preset.settings()
    return preset.name, {k: v for k, v in settings.items() if defaults.get(k) != v}


def remember(preset: str, settings: dict, geometry: QByteArray) -> None:
    values = store()
    values.setValue("preset", preset)
    values.setValue("settings", json.dumps(
        {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()}))
    values.setValue("geometry", geometry)
    values.sync()


def geometry() -> QByteArray | None:
    value = store().value("geometry")
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def forget() -> None:
    values = store()
    values.clear()
    values.sync()
