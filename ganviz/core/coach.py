"""The coach: what is going wrong in a run, from its own numbers, and what to try.

It reads the metrics records a run makes (``ganviz train --metrics``, every 50 iterations
by default, and the window's trainer as often) and names one diagnosis, the first that
holds of these, in this order:

=====================  ===================================================================
diagnosis              holds when (over the last CONFIRM records, so one noisy record is
                       not enough)
=====================  ===================================================================
diverged               a loss is NaN or infinite
vanishing-gradient     D rates the fakes below FAKE_REJECTED and the real data above
                       REAL_ACCEPTED (medians of the batch means): D wins every batch, and with the
                       minimax loss log(1 - D(G(z))) gives G almost no gradient
mode-collapse          1-D / 2-D: a mode of the target holds under dropped_below() of the
                       samples in most of the last SWING_RECORDS records (a generator that
                       hops between modes covers both for a moment), in 2-D only once
                       FORMED of the samples lie within 3 sigma of a mode; MNIST: class
                       coverage under COVERAGE_LOW once FORMED of the samples are confident
                       digits (before, an untrained generator's blur is not a collapse)
oscillation            1-D, not converged: over the last SWING_RECORDS records the
                       generator's mean or spread travels more than SWING of the target's
                       spread, back and forth (its path at least BACK_AND_FORTH times its
                       net change: a slow steady drift is not a swing), or its JS (above
                       JS_QUIET) travels its median or more, back and forth
lazy-d                 1-D: the verdict is "D is not optimal" (D flat, p_g wrong)
converged              1-D: the verdict is converged; 2-D: every mode covered and
                       HIGH_QUALITY of the samples within 3 sigma of one; MNIST: CONFIDENT
                       of the samples classified with p >= 0.9 and coverage >= COVERAGE_OK
progressing            none of the above
=====================  ===================================================================

The 1-D verdict is followed with its hysteresis (core/toy1d/verdict.py), not judged record
by record. And the coach itself does not flicker: a new diagnosis replaces the one shown
only after it held for CONFIRM records in a row (diverged at once).

Each diagnosis comes with the evidence (the numbers) and, where there is one, an action:
settings the window can apply with one click. Qt-free; the thresholds are documented in
docs/user-guide.md.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass, field

from ganviz.core.toy1d.verdict import Verdict

DIAGNOSES = ("diverged", "vanishing-gradient", "mode-collapse", "lazy-d", "oscillation",
             "converged", "progressing")

CONFIRM = 3  # records in a row (150 iterations at the default --log-every)
FAKE_REJECTED, REAL_ACCEPTED = 0.05, 0.95
MODE_DROPPED = 0.05
COVERAGE_LOW, COVERAGE_OK = 0.8, 0.95
FORMED = 0.5  # MNIST: the share of confident digits from which missing classes count
SWING_RECORDS = 10  # 500 iterations at the default --log-every
SWING = 0.5  # of the target's standard deviation: the path over the window
BACK_AND_FORTH = 2.0  # path / net change
JS_SWING = 1.0  # the JS path over the window, as a share of its median
JS_QUIET = 0.1  # bits: below this, JS's wobble is sampling noise, not a swing
COLLAPSED_SHARE = 0.7  # of the window's records with a dropped mode
HIGH_QUALITY = 0.9
CONFIDENT = 0.85
PROBABILITY_OBJECTIVES = ("minimax", "nonsaturating", "lsgan")  # D's output in [0, 1]


@dataclass(frozen=True)
class Diagnosis:
    name: str  # one of DIAGNOSES
    headline: str  # one sentence
    evidence: str = ""  # the numbers behind it
    suggestion: str = ""  # what to try, in words
    action: dict = field(default_factory=dict)  # settings the window can apply at a click

    def text(self, separator: str = " ") -> str:
        """Headline, evidence and suggestion, those there are."""
        return separator.join(part for part in (self.headline, self.evidence,
                                                self.suggestion) if part)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def dropped_below(modes: int) -> float:
    """The share under which one of ``modes`` modes counts as dropped: MODE_DROPPED, or
    40% of an even share where that is less (grid25's even share is 4%)."""
    return min(MODE_DROPPED, 0.4 / modes)


def _typical(records, name: str) -> float:
    """The median of ``name`` over ``records``: one odd record of three does not move it."""
    values = [r[name] for r in records if _finite(r.get(name))]
    return _median(values) if values else math.nan


class Coach:
    """Follows one run: ``update(record)`` after each metrics record returns the
    diagnosis; ``settings`` are the run's (the objective and target matter)."""

    def __init__(self, mode: str, settings: dict) -> None:
        self.mode, self.settings = mode, dict(settings)
        self.records: deque[dict] = deque(maxlen=SWING_RECORDS)
        self.diagnosis = Diagnosis("progressing", "Training is under way.")
        self.verdict = Verdict()  # the 1-D verdict, with its hysteresis
        self.verdicts: deque[str] = deque(maxlen=SWING_RECORDS)
        self._candidate, self._held = "", 0  # a diagnosis waiting to replace the shown one

    def change_settings(self, settings: dict) -> None:
        """Settings changed live: the old records judged other settings."""
        self.settings.update(settings)
        self._restart()

    def _restart(self) -> None:
        self.records.clear()
        self.verdicts.clear()
        self.verdict.reset()

    def update(self, record: dict) -> Diagnosis:
        if self.records and record.get("step", 0) < self.records[-1].get("step", 0):
            self._restart()  # a new run, or a state restored
        self._add(record)
        found = self._judge()
        if found.name == self.diagnosis.name or found.name == "diverged":
            self.diagnosis, self._candidate, self._held = found, "", 0
        elif found.name == self._candidate:
            self._held += 1
            if self._held >= CONFIRM:
                self.diagnosis, self._candidate, self._held = found, "", 0
        else:
            self._candidate, self._held = found.name, 1
        return self.diagnosis

    def judge_alone(self, record: dict) -> Diagnosis:
        """The diagnosis of one state measured on its own (``ganviz train --steps 0`` of a
        saved run, a session opened in the window): judged as a state that has held for
        CONFIRM records, since nothing before it is known. Later records are followed as
        usual from there."""
        self._restart()
        for _ in range(CONFIRM):
            self._add(record)
        self.diagnosis, self._candidate, self._held = self._judge(), "", 0
        self.records = deque([record], maxlen=SWING_RECORDS)  # the state, counted once
        self.verdicts = deque(list(self.verdicts)[-1:], maxlen=SWING_RECORDS)
        return self.diagnosis

    def _add(self, record: dict) -> None:
        self.records.append(record)
        if self.mode == "1d":
            self.verdicts.append(self.verdict.update(*(
                record.get(name) if _finite(record.get(name)) else math.nan
                for name in ("js_bits", "d_max_dev", "d_star_gap")))[0])

    def _verdicts(self, count: int) -> list[str]:
        return list(self.verdicts)[-count:]

    # ------------------------------------------------------------------------ judging
    def _recent(self) -> list[dict] | None:
        """The last CONFIRM records, or None while there are fewer."""
        if len(self.records) < CONFIRM:
            return None
        return list(self.records)[-CONFIRM:]

    def _judge(self) -> Diagnosis:
        last = self.records[-1]
        if not all(_finite(last.get(name)) for name in ("loss_d", "loss_g")):
            return self._diverged(last)
        recent = self._recent()
        if recent is None:
            return Diagnosis("progressing", "Training is under way.")
        for check in (self._vanishing, self._collapse, self._oscillating, self._lazy,
                      self._converged):
            found = check(recent)
            if found is not None:
                return found
        return self._progressing(recent)

    def _diverged(self, last: dict) -> Diagnosis:
        lr_d, lr_g = self.settings.get("lr_d", 1e-3), self.settings.get("lr_g", 1e-3)
        return Diagnosis(
            "diverged", f"Training diverged at iteration {last.get('step', 0):,}.",
            f"Losses: D {last.get('loss_d')}, G {last.get('loss_g')}.",
            "Restore the last good state and lower both learning rates tenfold.",
            {"lr_d": lr_d / 10, "lr_g": lr_g / 10})

    def _vanishing(self, recent) -> Diagnosis | None:
        if self.settings.get("loss") not in PROBABILITY_OBJECTIVES:
            return None
        fake, real = _typical(recent, "d_fake"), _typical(recent, "d_real")
        if not (fake < FAKE_REJECTED and real > REAL_ACCEPTED):
            return None
        evidence = (f"D rates the real data {real:.3f} and the fakes {fake:.3f}: "
                    "it wins every batch.")
        if self.settings.get("loss") == "minimax":
            return Diagnosis(
                "vanishing-gradient", "G's gradient has vanished: D rejects every fake.",
                evidence + " With the minimax loss, log(1 − D(G(z))) is flat there.",
                "Switch the objective to nonsaturating (−log D(G(z))): its gradient is "
                "largest exactly when D rejects the fakes.", {"loss": "nonsaturating"})
        k = int(self.settings.get("k", 1))
        return Diagnosis(
            "vanishing-gradient", "D overpowers G: it rejects every fake.", evidence,
            "Give D fewer steps or a lower learning rate.",
            {"k": max(1, k // 2)} if k > 1 else
            {"lr_d": self.settings.get("lr_d", 1e-3) / 4})

    def _collapse(self, recent) -> Diagnosis | None:
        if self.mode == "mnist":
            coverage = _typical(recent, "coverage")
            if not (coverage < COVERAGE_LOW and _typical(recent, "confident") >= FORMED):
                return None
            return Diagnosis(
                "mode-collapse", "Some digits are missing: the generator has collapsed "
                "onto fewer classes.", f"Class coverage {coverage:.2f} (uniform is 1).",
                "Lower the learning rates, or Reset with another seed.")
        shares = [r.get("mode_shares") for r in self.records]
        if not all(shares):
            return None
        if self.mode == "2d" and not _typical(recent, "high_quality") >= FORMED:
            return None  # a spread-out generator has not formed modes yet to drop one
        dropped = sum(min(s) < dropped_below(len(s)) for s in shares)
        if len(shares) < CONFIRM or dropped < COLLAPSED_SHARE * len(shares):
            return None
        held = ", ".join(f"{share:.0%}" for share in shares[-1])
        action = {} if self.settings.get("minibatch_discrimination") else {
            "minibatch_discrimination": True}
        return Diagnosis(
            "mode-collapse", "Mode collapse: the generator leaves out part of the data.",
            f"Share of samples near each mode: {held}.",
            "Turn on minibatch discrimination (then Reset): D sees that a batch of fakes "
            "is all alike." if action else "Lower the learning rates, or raise the "
            "EMA decay.", action)

    def _lazy(self, recent) -> Diagnosis | None:
        if self.mode != "1d" or any(v != "d-not-optimal" for v in self._verdicts(CONFIRM)):
            return None
        last = recent[-1]
        if not self.settings.get("standardize", True):
            action, advice = {"standardize": True}, (
                "Standardise the data (then Reset): D's inputs far from 0 leave its "
                "units saturated and its curve flat.")
        else:
            action = {"k": int(self.settings.get("k", 1)) * 2}
            advice = "Give D more steps per iteration, or a wider network."
        return Diagnosis(
            "lazy-d", "D is lazy: it sits at its equilibrium value while the generator is "
            "still wrong.",
            f"JS {last.get('js_bits', math.nan):.3f} bits, max|D − 0.5| "
            f"{last.get('d_max_dev', math.nan):.3f}; D* would tell them apart.",
            advice, action)

    def _oscillating(self, recent) -> Diagnosis | None:
        if self.mode != "1d" or len(self.records) < SWING_RECORDS:
            return None
        window = list(self.records)
        if "converged" in self._verdicts(CONFIRM):
            return None
        scale = float(self.settings.get("target_sigma", 1.0)) or 1.0
        swings = {}
        for name in ("gen_mean", "gen_std"):
            values = [r[name] / scale for r in window if _finite(r.get(name))]
            if len(values) == len(window) and _swinging(values, SWING):
                swings[name] = _path(values)
        js = [r["js_bits"] for r in window if _finite(r.get("js_bits"))]
        js_swing = (len(js) == len(window) and _median(js) > JS_QUIET
                    and _swinging(js, JS_SWING * _median(js)))
        if not (swings or js_swing):
            return None
        lr_d, lr_g = self.settings.get("lr_d", 1e-3), self.settings.get("lr_g", 1e-3)
        moved = ", ".join(f"{name} travelled {value:.2f} σ back and forth"
                          for name, value in swings.items()) or "the generator held still"
        return Diagnosis(
            "oscillation", "The players overshoot each other: the generator swings around "
            "the target instead of settling.",
            f"Over iterations {window[0].get('step', 0):,}-{window[-1].get('step', 0):,}: "
            f"{moved}; JS "
            f"{min(js):.3f}-{max(js):.3f} bits with no downward trend.",
            "Lower both learning rates (÷4), and average the generator's weights (EMA).",
            {"lr_d": lr_d / 4, "lr_g": lr_g / 4,
             **({} if self.settings.get("ema", 0) else {"ema": 0.999})})

    def _converged(self, recent) -> Diagnosis | None:
        last = recent[-1]
        if self.mode == "1d":
            if all(v == "converged" for v in self._verdicts(CONFIRM)):
                return Diagnosis("converged", "Converged: p_g matches p_data and D is at "
                                 "its equilibrium.", f"JS {last['js_bits']:.4f} bits.")
        elif self.mode == "2d":
            quality, shares = _typical(recent, "high_quality"), last.get("mode_shares")
            if quality >= HIGH_QUALITY and (not shares or
                                            min(shares) >= dropped_below(len(shares))):
                return Diagnosis("converged", "Converged: every mode is covered.",
                                 f"{quality:.0%} of samples within 3σ of a mode.")
        else:
            confident, coverage = _typical(recent, "confident"), _typical(recent, "coverage")
            if confident >= CONFIDENT and coverage >= COVERAGE_OK:
                return Diagnosis("converged", "The digits are sharp and varied.",
                                 f"{confident:.0%} classified with p ≥ 0.9, coverage "
                                 f"{coverage:.2f}.")
        return None

    def _progressing(self, recent) -> Diagnosis:
        last = recent[-1]
        if self.mode == "1d":
            evidence = f"JS {last.get('js_bits', math.nan):.3f} bits."
        elif self.mode == "2d":
            evidence = f"KL {last.get('kl_bits', math.nan):.3f} bits on the grid."
        elif _finite(last.get("confident")):
            evidence = f"{last['confident']:.0%} of samples are confident digits."
        else:  # images no classifier judges: the game's own numbers
            evidence = f"D(real) {last.get('d_real', math.nan):.2f}, D(fake) " \
                       f"{last.get('d_fake', math.nan):.2f}; no classifier judges these."
        return Diagnosis("progressing", "Healthy: training is making progress.", evidence)


def _path(values: list[float]) -> float:
    return sum(abs(b - a) for a, b in itertools.pairwise(values))


def _swinging(values: list[float], least: float) -> bool:
    """``values`` travel at least ``least``, mostly back and forth."""
    path = _path(values)
    return path > least and path >= BACK_AND_FORTH * abs(values[-1] - values[0])


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else 0.5 * (ordered[middle - 1]
                                                             + ordered[middle])


RECORD_EVERY = 50  # iterations between two records, as ganviz train's default --log-every


class WindowFeed:
    """The window's coach: metrics records made from what the window receives (frames and
    evaluations), at most one every RECORD_EVERY iterations, as ``ganviz train`` makes
    them; the diagnoses follow those of a headless run of the same numbers."""

    def __init__(self) -> None:
        self.coach: Coach | None = None
        self._last_step = -1
        self.alone = False  # the next record is of a saved run: judged on its own

    def clear(self) -> None:
        self.coach, self._last_step = None, -1

    def judge_next_alone(self) -> None:
        """A session was opened: its first record is judged alone (Coach.judge_alone),
        not called "under way" for the records a fresh run needs."""
        self.alone = True

    def follow(self, mode: str, settings: dict) -> None:
        """The run's mode and settings as the newest frame says (a change restarts the
        judging)."""
        if self.coach is None or self.coach.mode != mode:
            self.coach, self._last_step = Coach(mode, settings), -1
        elif any(self.coach.settings.get(k) != v for k, v in settings.items()):
            self.coach.change_settings(settings)

    def record(self, step: int, history: dict, figures: dict) -> Diagnosis | None:
        """A record at ``step``: the curves' means since the last one (``history``: the
        frame's arrays by name) and the mode's ``figures``; None when too soon."""
        if self.coach is None or 0 <= step - self._last_step < RECORD_EVERY:
            return None
        steps = history.get("step")
        if steps is None or not len(steps):
            return None
        chosen = (steps > self._last_step) & (steps <= step)
        if not chosen.any():
            chosen = steps == steps[-1]
        record = {"step": int(step)}
        for name in ("loss_d", "loss_g", "d_real", "d_fake"):
            values = history[name][chosen]
            record[name] = float(values.mean()) if len(values) else math.nan
        record.update(figures)
        self._last_step = step
        judge = self.coach.judge_alone if self.alone else self.coach.update
        self.alone = False
        return judge(record)


def figures_1d(evaluation) -> dict:
    """What a 1-D evaluation says, under the metrics records' names."""
    figures = {name: getattr(evaluation, name, math.nan) for name in (
        "js_bits", "gen_mean", "gen_std", "d_max_dev", "d_star_gap")}
    if getattr(evaluation, "mode_shares", ()):
        figures["mode_shares"] = list(evaluation.mode_shares)
    return figures


def figures_2d(evaluation) -> dict:
    figures = {name: getattr(evaluation, name, math.nan) for name in ("kl_bits", "js_bits")}
    if getattr(evaluation, "mode_shares", ()):
        figures.update(mode_shares=list(evaluation.mode_shares),
                       high_quality=evaluation.high_quality)
    return figures
