"""The 1-D targets, the generator's noise and the settings that describe them."""

import numpy as np
import pytest
import torch

from ganviz.core import config
from ganviz.core.noise import draw_noise
from ganviz.core.toy1d.data import Gaussian1D, Laplace1D, Mixture1D, Uniform1D, make_target
from ganviz.core.trainer import Trainer

TARGETS = [
    Gaussian1D(1.0, 0.5),
    Uniform1D(1.0, 0.5),
    Laplace1D(1.0, 0.5),
    Mixture1D((-2.0, 1.0, 3.0), (0.3, 0.5, 0.2), (1.0, 2.0, 1.0)),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__)
def test_target_samples_match_pdf_cdf_mean_and_std(target):
    samples = target.sample(200_000, torch.Generator().manual_seed(0),
                            torch.device("cpu")).numpy().ravel()
    assert samples.mean() == pytest.approx(target.mean, abs=0.01)
    assert samples.std() == pytest.approx(target.std, rel=0.01)
    lo, hi = target.support(6.0)
    grid = np.linspace(lo, hi, 20001)
    assert np.trapezoid(target.pdf(grid), grid) == pytest.approx(1.0, abs=2e-3)
    for q in (0.1, 0.5, 0.9):
        x = target.quantile(q)
        assert np.mean(samples <= x) == pytest.approx(q, abs=0.005)
    a, b = target.central_interval(0.95)
    assert np.mean((samples >= a) & (samples <= b)) == pytest.approx(0.95, abs=0.005)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: type(t).__name__)
def test_high_density_region_holds_95_percent_at_one_density_level(target):
    region = target.high_density_region(0.95)
    mass = sum(float(target.cdf(np.array([b]))[0] - target.cdf(np.array([a]))[0])
               for a, b in region)
    assert mass == pytest.approx(0.95, abs=0.003)
    if not isinstance(target, Mixture1D):
        assert region == (target.central_interval(0.95),)  # one symmetric peak, or flat
        return
    # Every edge at the same density, and nothing outside the region denser than that.
    edges = np.array([x for interval in region for x in interval])
    level = target.pdf(edges)
    assert np.ptp(level) < 0.01 * level.max()
    lo, hi = target.support(5.0)
    grid = np.linspace(lo, hi, 20001)
    outside = np.ones(grid.shape, dtype=bool)
    for a, b in region:
        outside &= (grid < a) | (grid > b)
    assert target.pdf(grid[outside]).max() <= level.max() * 1.01


def test_the_data_of_two_separate_modes_lie_in_two_intervals():
    region = Mixture1D((-1.5, 1.5), (0.5,), (1.0, 1.0)).high_density_region(0.95)
    assert len(region) == 2
    (a, b), (c, d) = region
    assert a == pytest.approx(-d, abs=0.01) and b == pytest.approx(-c, abs=0.01)
    assert 0.45 < c < 0.6  # each mode's own 95%: 1.5 - 1.96 * 0.5 = 0.52
    # Overlapping modes make one interval.
    assert len(Mixture1D((-0.5, 0.5), (1.0,), (1.0, 1.0)).high_density_region(0.95)) == 1


def test_a_narrow_spike_beside_a_wide_mode_keeps_both_and_95_percent():
    # A spike of std 0.01 far from a mode of std 20 (both allowed by the settings).
    target = Mixture1D((-50.0, 50.0), (0.01, 20.0), (1.0, 1.0))
    (a, b), (c, d) = target.high_density_region(0.95)
    assert a < -50.0 < b and b - a < 0.1  # all of the spike
    # Then the wide mode's central 90%: 50 -+ 1.645 * 20.
    assert c == pytest.approx(50 - 32.9, abs=0.1) and d == pytest.approx(50 + 32.9, abs=0.1)
    mass = float(target.cdf(np.array([b, d])).sum() - target.cdf(np.array([a, c])).sum())
    assert mass == pytest.approx(0.95, abs=0.002)


def test_uniform_has_no_mass_outside_its_box():
    target = Uniform1D(0.0, 1.0)
    samples = target.sample(10_000, torch.Generator().manual_seed(1), torch.device("cpu"))
    assert float(samples.abs().max()) <= 3**0.5
    assert target.pdf(np.array([1.8]))[0] == 0.0


def test_mixture_settings_must_agree():
    with pytest.raises(config.SettingError, match="mixture_sigmas: 3 numbers for 2 mixture"):
        Trainer("gaussian", {"target": "mixture", "mixture_sigmas": "0.1, 0.2, 0.3"})
    trainer = Trainer("gaussian")
    before = dict(trainer.settings)
    with pytest.raises(config.SettingError, match="mixture_weights"):
        trainer.update_settings({"mixture_weights": (1, 2, 3)})
    assert trainer.settings == before
    with pytest.raises(config.SettingError, match="mixture_means: 1 numbers given"):
        config.validate({"mixture_means": "3"})
    assert config.validate({"mixture_means": "-1, 2.5 ,4"}) == {"mixture_means": (-1, 2.5, 4)}


def test_choice_and_switch_settings_parse_and_refuse():
    assert config.parse_assignment("loss=WGAN-GP") == ("loss", "wgan-gp")
    assert config.parse_assignment("standardize=off") == ("standardize", False)
    with pytest.raises(config.SettingError,
                       match="loss: expected one of minimax, nonsaturating, lsgan"):
        config.parse_assignment("loss=gan")
    with pytest.raises(config.SettingError, match="standardize: expected on or off"):
        config.parse_assignment("standardize=maybe")


def test_live_target_change_to_a_mixture():
    trainer = Trainer("gaussian")
    trainer.run(3)
    trainer.update_settings({"target": "mixture", "mixture_means": (2.0, 6.0)})
    assert isinstance(trainer.target, Mixture1D)
    real = trainer.problem.real_batch(5000, torch.Generator().manual_seed(0)).numpy()
    data_units = real * trainer.scale + trainer.offset
    assert data_units.mean() == pytest.approx(4.0, abs=0.05)
    assert trainer.evaluate().x[0] <= 2.0 - 2.5


def test_noise_kinds():
    rng = torch.Generator().manual_seed(0)
    stratified = draw_noise(12, "stratified", 8.0, rng).ravel()
    assert torch.all(stratified[1:] > stratified[:-1])  # S1: an evenly spread, sorted batch
    assert float(stratified[0]) >= -8.0 and float(stratified[-1]) <= 8.0 + 0.01
    uniform = draw_noise(10_000, "uniform", 2.0, rng)
    assert float(uniform.min()) >= -2.0 and float(uniform.max()) <= 2.0
    assert float(uniform.std()) == pytest.approx(4 / 12**0.5, rel=0.03)
    assert make_target({"target": "laplace", "target_mean": 0.0, "target_sigma": 1.0,
                        "mixture_means": (0, 1), "mixture_sigmas": (1,),
                        "mixture_weights": (1,)}).std == 1.0
