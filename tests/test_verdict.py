"""The 1-D verdict: hysteresis on each condition, and one generator judged throughout."""

import itertools
import math

import numpy as np
import torch

from ganviz.core.theory import D_STAR_LEAVE, JS_CONVERGED_BITS, JS_LEAVE_BITS
from ganviz.core.toy1d.evaluation import evaluate
from ganviz.core.toy1d.verdict import Threshold, Verdict, judge

FLAT, NEAR_D_STAR = 0.01, 0.03  # max|D - 1/2| and max|D - D*| of a flat, optimal D


def test_a_threshold_is_entered_below_enter_and_left_only_above_leave():
    threshold = Threshold(0.01, 0.015)
    assert not threshold.holds(0.012, held=False) and threshold.holds(0.009, held=False)
    assert threshold.holds(0.012, held=True) and threshold.holds(0.0149, held=True)
    assert not threshold.holds(0.0151, held=True)


def test_js_hovering_at_the_threshold_does_not_flicker():
    rng = np.random.default_rng(0)
    # JS estimates wobbling around 0.01 bits, as the default preset's did near the end.
    sequence = np.concatenate(([0.05, 0.02, 0.009],
                               0.0105 + 0.0025 * np.sin(np.arange(200)) +
                               rng.uniform(-0.001, 0.001, 200)))
    assert sequence[3:].max() < JS_LEAVE_BITS and (sequence[3:] > JS_CONVERGED_BITS).sum() > 50
    verdict = Verdict()
    said = [verdict.update(js, FLAT, NEAR_D_STAR)[0] for js in sequence]
    assert said[:2] == ["d-not-optimal"] * 2
    assert said[2:] == ["converged"] * (len(sequence) - 2)  # entered once, never left
    alone = [judge(js, FLAT, NEAR_D_STAR, "D", 0.5)[0] for js in sequence]
    flips = sum(a != b for a, b in itertools.pairwise(alone))
    assert flips > 20  # judged one evaluation at a time, the same numbers flickered


def test_it_leaves_a_state_once_clearly_past_the_threshold():
    verdict = Verdict()
    assert verdict.update(0.005, FLAT, NEAR_D_STAR)[0] == "converged"
    assert verdict.update(0.016, FLAT, NEAR_D_STAR)[0] == "d-not-optimal"
    assert verdict.update(0.012, FLAT, NEAR_D_STAR)[0] == "d-not-optimal"  # not back yet
    assert verdict.update(0.009, FLAT, NEAR_D_STAR)[0] == "converged"


def test_d_hovering_at_its_tolerance_does_not_flicker():
    verdict = Verdict()
    said = [verdict.update(0.005, dev, NEAR_D_STAR)[0]
            for dev in [0.04] + [0.045, 0.06, 0.052, 0.07, 0.049] * 10]
    assert set(said) == {"converged"}
    assert verdict.update(0.005, 0.08, NEAR_D_STAR)[0] == "not-converged"
    assert verdict.update(0.005, 0.06, NEAR_D_STAR)[0] == "not-converged"  # not below 0.05


def test_a_d_far_from_d_star_is_never_called_converged():
    verdict = Verdict()
    rng = np.random.default_rng(1)
    for js, dev in zip(rng.uniform(0.0, 0.009, 100), rng.uniform(0.0, 0.04, 100),
                       strict=True):
        name, text = verdict.update(js, dev, 0.37)
        assert name == "d-not-optimal" and "D is not optimal" in text
        assert "max|D − D*| 0.370 (needs < 0.1)" in text
    # Converged, then D* moves away from D: left once past the leave threshold.
    verdict = Verdict()
    assert verdict.update(0.005, FLAT, 0.05)[0] == "converged"
    assert verdict.update(0.005, FLAT, 0.14)[0] == "converged"
    assert verdict.update(0.005, FLAT, D_STAR_LEAVE + 0.01)[0] == "d-not-optimal"


def test_no_d_star_and_non_finite_numbers():
    verdict = Verdict()
    assert verdict.update(0.005, FLAT, math.nan)[0] == "converged"  # hinge, wgan-gp
    name, text = verdict.update(math.nan, FLAT, 0.0)
    assert name == "not-converged" and "NaN" in text
    assert not (verdict.matched or verdict.flat)  # starts afresh after a divergence


def _flat_d_and_generators(shift_raw: float, shift_averaged: float):
    """A trainer's state, a D of 1/2 everywhere, and two generators: the identity (the
    target, in the networks' units) moved by the given amounts in data units."""
    from ganviz.core.trainer import Trainer

    trainer = Trainer("gaussian")
    with torch.no_grad():
        for p in trainer.discriminator.parameters():
            p.zero_()
    state = trainer.snapshot().view

    def moved(shift: float) -> torch.nn.Module:
        layer = torch.nn.Linear(1, 1)
        with torch.no_grad():
            layer.weight.fill_(1.0)
            layer.bias.fill_(shift / state.scale)
        return layer

    return state, moved(shift_averaged), moved(shift_raw), trainer.discriminator


def test_d_star_the_fill_and_the_verdict_judge_the_averaged_generator():
    # The averaged generator on the target, the one as trained off by a std: D* is drawn
    # for the averaged one (1/2 everywhere) as its JS is, and agrees with a flat D.
    state, averaged, raw, d = _flat_d_and_generators(shift_raw=0.5, shift_averaged=0.0)
    result = evaluate(state, averaged, raw, d, torch.Generator().manual_seed(0))
    assert result.js_bits < 0.01 and result.d_star_gap < 0.1
    assert result.verdict == "converged"
    assert np.nanmax(np.abs(result.d_star - 0.5)) < 0.15
    # The other way round: the averaged generator off, D* says so and the verdict too.
    state, averaged, raw, d = _flat_d_and_generators(shift_raw=0.0, shift_averaged=0.5)
    result = evaluate(state, averaged, raw, d, torch.Generator().manual_seed(0))
    assert result.js_bits > 0.05 and result.d_star_gap > 0.3
    assert result.verdict == "d-not-optimal"
    assert Verdict().update_from(result) == (result.verdict, result.verdict_text)
