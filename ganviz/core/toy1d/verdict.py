"""The 1-D verdict: has the game reached its equilibrium? Free of torch and Qt.

Three conditions judge an evaluation, all of the generator drawn (the averaged one, whose
histogram is the plot's fill):

* matched: p_g matches p_data, JS(p_data || p_g) small;
* flat: D is at its equilibrium value where the data lie, max|D - 1/2| small;
* optimal: D agrees with D*, the optimal D for that generator, max|D - D*| small (where the
  objective has a D*).

converged = all three; "D is not optimal" = D flat while the generator has not matched the
data or D* is not flat; not converged = D not flat.

Each condition has two thresholds (hysteresis): it starts to hold below ``enter`` and stops
only above ``leave``. Estimated from 20,000 samples, JS wobbles by a few thousandths of a
bit between evaluations; with one threshold a generator hovering at it flipped the banner
several times a second. :func:`judge` is one evaluation judged afresh (enter thresholds
only); :class:`Verdict` follows a run, evaluation after evaluation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ganviz.core.theory import (
    D_LEAVE,
    D_STAR_LEAVE,
    D_STAR_TOLERANCE,
    D_TOLERANCE,
    JS_CONVERGED_BITS,
    JS_LEAVE_BITS,
)


@dataclass(frozen=True)
class Threshold:
    """A condition ``value < threshold`` with hysteresis: it starts to hold below ``enter``
    and, once holding, stops only above ``leave`` (>= enter)."""

    enter: float
    leave: float

    def holds(self, value: float, held: bool) -> bool:
        return value < (self.leave if held else self.enter)


MATCHED = Threshold(JS_CONVERGED_BITS, JS_LEAVE_BITS)
FLAT = Threshold(D_TOLERANCE, D_LEAVE)
OPTIMAL = Threshold(D_STAR_TOLERANCE, D_STAR_LEAVE)


@dataclass(frozen=True)
class Words:
    """How the verdict names D and its equilibrium, and a note after the numbers."""

    d_name: str = "D"
    d_equilibrium: float | None = 0.5  # None: no single value (hinge, wgan-gp)
    dev_label: str | None = None  # what d_max_dev measures where there is no single value
    note: str = ""  # appended after the numbers (mixtures: the modes covered)


PROBABILITY_D = Words()  # a D whose output is a probability, at 1/2 at the equilibrium


class Verdict:
    """The verdict of a run, evaluation after evaluation, with hysteresis on each condition.

    ``update`` takes the evaluation's numbers and returns (verdict, text); ``reset`` starts
    a new run. Not thread-bound: the window calls it in the GUI thread, a headless run could
    call it after each evaluation.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.matched = self.flat = self.optimal = False

    def update(self, js_bits: float, d_max_dev: float, d_star_gap: float,
               words: Words = PROBABILITY_D) -> tuple[str, str]:
        if not (math.isfinite(js_bits) and math.isfinite(d_max_dev)):
            self.reset()
            return "not-converged", "Not converged: the generator or D produced NaN/Inf."
        self.matched = MATCHED.holds(js_bits, self.matched)
        self.flat = FLAT.holds(d_max_dev, self.flat)
        # No D* (hinge, wgan-gp): the condition is not judged, so it holds.
        self.optimal = not math.isfinite(d_star_gap) or OPTIMAL.holds(d_star_gap, self.optimal)
        return _describe(self.matched, self.flat, self.optimal, js_bits, d_max_dev,
                         d_star_gap, words)

    def update_from(self, evaluation) -> tuple[str, str]:
        """The verdict of an :class:`~ganviz.core.toy1d.evaluation.Evaluation`."""
        return self.update(evaluation.js_bits, evaluation.d_max_dev, evaluation.d_star_gap,
                           evaluation.words)


def judge(js_bits: float, d_max_dev: float, d_star_gap: float, d_name: str,
          d_equilibrium: float | None, dev_label: str | None = None) -> tuple[str, str]:
    """The verdict of one evaluation on its own (no history: the enter thresholds)."""
    return Verdict().update(js_bits, d_max_dev, d_star_gap,
                            Words(d_name, d_equilibrium, dev_label))


def _describe(matched: bool, flat: bool, optimal: bool, js_bits: float, d_max_dev: float,
              d_star_gap: float, words: Words) -> tuple[str, str]:
    """The verdict and a sentence with the numbers behind it.

    Each number is shown with the threshold that applies now: the leave threshold while its
    condition holds, the enter one while it does not.
    """
    d_name, equilibrium = words.d_name, words.d_equilibrium
    at = "at its equilibrium"
    dev_label = words.dev_label or f"{d_name}'s deviation"
    if equilibrium is not None:
        at = f"at {equilibrium:g}"
        dev_label = f"max|{d_name} − {equilibrium:g}|"

    def number(value: float, text: str, threshold: Threshold, held: bool) -> str:
        limit = threshold.leave if held else threshold.enter
        return f"{text} ({'<' if held else 'needs <'} {limit:g})"

    numbers = (f"JS {number(js_bits, f'{js_bits:.4f} bits', MATCHED, matched)}, {dev_label} "
               f"{number(d_max_dev, f'{d_max_dev:.3f}', FLAT, flat)}")
    if math.isfinite(d_star_gap):
        numbers += f", max|D − D*| {number(d_star_gap, f'{d_star_gap:.3f}', OPTIMAL, optimal)}"
    numbers += "." + words.note
    if flat and matched and optimal:
        return "converged", (f"Converged: p_g matches p_data and {d_name} is {at}. "
                             f"{numbers}")
    if flat and not matched:
        return "d-not-optimal", (f"{d_name} is {at} but the generator has not matched the "
                                 f"data — {d_name} is not optimal. {numbers}")
    if flat:
        return "d-not-optimal", (f"{d_name} is {at} but D* is not: p_g still differs from "
                                 f"p_data where {d_name} does not see it — {d_name} is not "
                                 f"optimal. {numbers}")
    if matched:
        return "not-converged", (f"Not converged: p_g is close to p_data but {d_name} still "
                                 f"tells them apart. {numbers}")
    return "not-converged", f"Not converged. {numbers}"
