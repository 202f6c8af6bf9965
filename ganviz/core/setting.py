"""One user-facing setting: its name, type, range, when it applies and its help.

The settings themselves are listed in :mod:`ganviz.core.settings_table`; everyone reads
them through :mod:`ganviz.core.config`. No torch, no Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """A bad setting value. ``str()`` is one line naming the setting and what is allowed."""


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """Description of one user-facing setting.

    ``kind`` is int or float (a number in [minimum, maximum]), str (one of ``choices``),
    bool (on or off) or tuple (a list of 2 to 5 numbers, each in [minimum, maximum]: the
    components of a mixture).
    """

    name: str
    label: str
    kind: type
    default: Any
    minimum: float | int = 0
    maximum: float | int = 0
    help: str = ""
    live: bool = True  # applied between two training steps; False: applied on Reset
    log_scale: bool = False  # edited by factors (learning rates), not by steps
    group: str = "Training"
    modes: tuple[str, ...] = ("1d", "2d", "mnist")  # the data modes it exists in
    choices: tuple[str, ...] = ()  # kind str: the allowed values
    lengths: tuple[int, int] = (2, 5)  # kind tuple: fewest and most numbers

    def allowed(self) -> str:
        """Human description of the allowed values, used in every error message."""
        if self.kind is str:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "on or off (true/false, 1/0)"
        if self.kind is tuple:
            low, high = self.lengths
            return (f"{low} to {high} comma-separated numbers from {self.minimum:g} "
                    f"to {self.maximum:g}")
        if self.kind is int:
            return f"a whole number from {self.minimum} to {self.maximum}"
        return f"a number from {self.minimum:g} to {self.maximum:g}"

    def _refuse(self, value: Any) -> SettingError:
        return SettingError(f"{self.name}: expected {self.allowed()}, got {value!r}")

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to this setting's type, or raise SettingError."""
        if self.kind is bool:
            return self._validate_bool(value)
        if self.kind is str:
            if not isinstance(value, str) or value.strip().lower() not in self.choices:
                raise self._refuse(value)
            return value.strip().lower()
        if self.kind is tuple:
            return self._validate_numbers(value)
        if isinstance(value, bool):
            raise self._refuse(value)
        if isinstance(value, str):
            return self.parse(value)
        return self._validate_number(value)

    def _validate_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise self._refuse(value)

    def _validate_number(self, value: Any, name: str | None = None) -> int | float:
        name = name or self.name
        if self.kind is int:
            if isinstance(value, float):
                if not math.isfinite(value) or value != int(value):
                    raise self._refuse(value)
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                raise self._refuse(value)
        else:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise self._refuse(value)
            value = float(value)
            if not math.isfinite(value):
                raise SettingError(f"{name}: expected {self.allowed()}, got {value}")
        if not self.minimum <= value <= self.maximum:
            raise SettingError(f"{name}: {value:g} is out of range; expected {self.allowed()}")
        return value

    def _validate_numbers(self, value: Any) -> tuple[float, ...]:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                numbers = [float(p) for p in parts]
            except ValueError:
                raise SettingError(
                    f"{self.name}: {value!r} is not a list of numbers; expected {self.allowed()}"
                ) from None
        elif isinstance(value, (list, tuple)):
            numbers = list(value)
        else:
            raise self._refuse(value)
        low, high = self.lengths
        if not low <= len(numbers) <= high:
            raise SettingError(f"{self.name}: {len(numbers)} numbers given; expected "
                               f"{self.allowed()}")
        for number in numbers:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise self._refuse(value)
            if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
                raise SettingError(f"{self.name}: {number:g} is out of range; expected "
                                   f"{self.allowed()}")
        return tuple(float(n) for n in numbers)

    def parse(self, text: str) -> Any:
        """Parse a value typed by a user (``--set name=text``)."""
        text = text.strip()
        if self.kind in (str, bool, tuple):
            return self.validate(text)
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
        return self._validate_number(number)

    def format(self, value: Any) -> str:
        """The value as a user would type it."""
        if self.kind is bool:
            return "on" if value else "off"
        if self.kind is tuple:
            return ", ".join(f"{v:g}" for v in value)
        if self.kind is str:
            return value
        return f"{value:g}"
