"""The coach names what is going wrong from a run's numbers: on made-up records for each
rule, and on the teaching presets that show each problem (slow)."""


import pytest

import ganviz
from ganviz.core.coach import CONFIRM, Coach

CALM = {"loss_d": 1.38, "loss_g": 0.70, "d_real": 0.5, "d_fake": 0.5, "js_bits": 0.3,
        "gen_mean": 4.0, "gen_std": 0.5, "d_max_dev": 0.2, "d_star_gap": 0.3,
        "verdict": "not-converged"}
SETTINGS = {"loss": "nonsaturating", "target_sigma": 0.5, "k": 1, "lr_d": 1e-3,
            "lr_g": 1e-3, "standardize": True, "ema": 0.999}


def feed(coach, records):
    names = []
    for step, record in enumerate(records, start=1):
        names.append(coach.update({"step": 50 * step, **CALM, **record}).name)
    return names


def test_a_calm_run_is_progressing_and_a_nan_is_diverged_at_once():
    coach = Coach("1d", SETTINGS)
    assert feed(coach, [{}] * 5) == ["progressing"] * 5
    diagnosis = coach.update({"step": 300, **CALM, "loss_d": None})
    assert diagnosis.name == "diverged" and diagnosis.action == {"lr_d": 1e-4, "lr_g": 1e-4}


def test_a_d_that_wins_every_batch_starves_the_minimax_generator():
    coach = Coach("1d", {**SETTINGS, "loss": "minimax"})
    names = feed(coach, [{"d_real": 0.999, "d_fake": 0.001}] * (2 * CONFIRM))
    assert names[-1] == "vanishing-gradient"
    assert coach.diagnosis.action == {"loss": "nonsaturating"}
    assert "0.001" in coach.diagnosis.evidence
    # With the non-saturating loss the advice is to weaken D.
    coach = Coach("1d", {**SETTINGS, "k": 4})
    feed(coach, [{"d_real": 0.999, "d_fake": 0.001}] * (2 * CONFIRM))
    assert coach.diagnosis.name == "vanishing-gradient" and coach.diagnosis.action == {"k": 2}


def test_one_odd_record_does_not_change_the_diagnosis():
    coach = Coach("1d", {**SETTINGS, "loss": "minimax"})
    starved = {"d_real": 0.999, "d_fake": 0.001}
    names = feed(coach, [starved] * 6 + [{}] + [starved] * 3)
    assert names[5:] == ["vanishing-gradient"] * 5


def test_a_swing_back_and_forth_is_oscillation_a_steady_drift_is_not():
    swinging = [{"gen_mean": 4.0 + (0.3 if i % 2 else -0.3)} for i in range(14)]
    assert feed(Coach("1d", SETTINGS), swinging)[-1] == "oscillation"
    drifting = [{"gen_mean": 3.0 + 0.1 * i} for i in range(14)]  # 1.4 sigma, one way
    assert feed(Coach("1d", SETTINGS), drifting)[-1] == "progressing"
    # JS wobbling near zero is sampling noise, not a swing.
    quiet = [{"js_bits": 0.02 if i % 2 else 0.06} for i in range(14)]
    assert feed(Coach("1d", SETTINGS), quiet)[-1] == "progressing"


def test_mode_collapse_holds_through_a_hop_between_modes():
    collapsed = [{"mode_shares": [0.0, 1.0]}] * 8 + [{"mode_shares": [0.4, 0.6]}] + \
        [{"mode_shares": [1.0, 0.0]}] * 3
    names = feed(Coach("1d", SETTINGS), collapsed)
    assert names[-5:] == ["mode-collapse"] * 5
    assert Coach("1d", SETTINGS).update({"step": 1, **CALM}).name == "progressing"


def test_lazy_d_and_converged_follow_the_verdict_with_its_hysteresis():
    flat = {"js_bits": 0.3, "d_max_dev": 0.01, "d_star_gap": 0.4}
    coach = Coach("1d", {**SETTINGS, "standardize": False})
    assert feed(coach, [flat] * 6)[-1] == "lazy-d"
    assert coach.diagnosis.action == {"standardize": True}
    done = {"js_bits": 0.005, "d_max_dev": 0.01, "d_star_gap": 0.02}
    hovering = {"js_bits": 0.012, "d_max_dev": 0.01, "d_star_gap": 0.02}  # < leave 0.015
    coach = Coach("1d", SETTINGS)
    assert feed(coach, [done] * 6 + [hovering] * 4)[-1] == "converged"


def test_new_settings_or_a_restored_state_start_the_judging_afresh():
    coach = Coach("1d", {**SETTINGS, "loss": "minimax"})
    feed(coach, [{"d_real": 0.999, "d_fake": 0.001}] * 6)
    coach.change_settings({"loss": "nonsaturating"})
    assert len(coach.records) == 0
    coach.update({"step": 400, **CALM})
    assert coach.update({"step": 100, **CALM}) is coach.diagnosis and len(coach.records) == 1


def test_mnist_and_2d_judge_their_own_figures():
    mnist = Coach("mnist", SETTINGS)
    for step in range(1, 6):  # the first blur: few confident digits, not a collapse
        mnist.update({"step": 50 * step, "loss_d": 1.0, "loss_g": 1.0, "d_real": 0.6,
                      "d_fake": 0.4, "confident": 0.03, "coverage": 0.5})
    assert mnist.diagnosis.name == "progressing"
    for step in range(6, 12):
        mnist.update({"step": 50 * step, "loss_d": 1.0, "loss_g": 1.0, "d_real": 0.6,
                      "d_fake": 0.4, "confident": 0.7, "coverage": 0.5})
    assert mnist.diagnosis.name == "mode-collapse"
    plane = Coach("2d", SETTINGS)
    for step in range(1, 8):
        plane.update({"step": 50 * step, **CALM, "high_quality": 0.95,
                      "mode_shares": [0.12] * 8, "kl_bits": 0.1})
    assert plane.diagnosis.name == "converged"
    assert "95% of samples within 3σ" in plane.diagnosis.text()
    # grid25's even share is 4%: under the 5% floor, yet no mode dropped.
    grid = Coach("2d", SETTINGS)
    for step in range(1, 8):
        grid.update({"step": 50 * step, **CALM, "high_quality": 0.93,
                     "mode_shares": [0.037] * 25, "kl_bits": 0.1})
    assert grid.diagnosis.name == "converged"
    # Samples spread over the plane, none near a mode yet: not a collapse.
    spread = Coach("2d", SETTINGS)
    for step in range(1, 12):
        spread.update({"step": 50 * step, **CALM, "high_quality": 0.05,
                       "mode_shares": [0.006] * 8, "kl_bits": 2.0})
    assert spread.diagnosis.name == "progressing"
    for step in range(12, 24):  # formed, with one mode left out
        spread.update({"step": 50 * step, **CALM, "high_quality": 0.9,
                       "mode_shares": [0.0] + [0.128] * 7, "kl_bits": 0.5})
    assert spread.diagnosis.name == "mode-collapse"


# The cases: each teaching preset named by its diagnosis by the iteration given.
@pytest.mark.slow
@pytest.mark.parametrize(("preset", "steps", "seed", "expected"), [
    ("strong-d", 1000, 0, "vanishing-gradient"),
    ("bimodal", 4000, 0, "mode-collapse"),
    ("fast-lr", 3000, 0, "oscillation"),
    ("lazy-d", 3000, 0, "lazy-d"),
    ("gaussian", 5000, 0, "converged"),
    ("gaussian", 5000, 7, "converged"),
])
def test_each_teaching_preset_gets_its_diagnosis(preset, steps, seed, expected):
    run = ganviz.Run(preset, seed=seed)
    run.train(steps=steps)
    assert run.metrics[-1]["diagnosis"] == expected, [m["diagnosis"] for m in run.metrics]
