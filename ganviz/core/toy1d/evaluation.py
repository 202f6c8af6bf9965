"""What the 1-D view shows, computed from a copy of the networks' weights.

The trainer hands out its weights as plain numpy (a :class:`ModelState`); anything, in
any thread, can turn them into densities, D(x), the optimal D*(x), divergences and the
verdict here. The window does this on a thread of its own, so that the 20,000-sample
density estimates never cost the training process more than the copy of a few thousand
weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ganviz.core import objectives
from ganviz.core.metrics import histogram_density, js_divergence_bits, rounded_range
from ganviz.core.networks import MinibatchDiscriminator, NetworkCopies, build_toy_networks
from ganviz.core.noise import draw_noise
from ganviz.core.theory import D_TOLERANCE, JS_CONVERGED_BITS, VERDICTS
from ganviz.core.toy1d.data import Mixture1D, Target1D, make_target
from ganviz.core.toy1d.state import ModelState
from ganviz.core.toy1d.verdict import PROBABILITY_D, Verdict, Words, judge

__all__ = ["D_TOLERANCE", "JS_CONVERGED_BITS", "VERDICTS", "Evaluation", "Evaluator",
           "ModelState", "Verdict", "evaluate", "judge"]

DENSITY_SAMPLES = 20_000
# D is judged where the real data lie: the 95% of highest density (for one symmetric peak,
# the central 95%). Between the modes of a mixture p_data is almost nil; a continuous
# generator must leave a bridge of mass there, and D rightly dips far from 1/2 even when
# the generator is close, which says nothing about whether the game is at its equilibrium.
# D* is compared with D there too (`d_star_gap`), and the plot shades that region.
CENTRAL_MASS = 0.95


@dataclass
class Evaluation:
    """Curves of the densities plot (data units) and the numbers that judge them."""

    mode: ClassVar[str] = "1d"

    step: int
    x: np.ndarray  # grid of the curves
    real_pdf: np.ndarray  # exact density of the target on x
    d_curve: np.ndarray  # D's output on x (a probability, or the critic's value)
    d_star: np.ndarray  # the optimal D for the averaged generator on x (NaN: none)
    edges: np.ndarray  # histogram bin edges
    gen_density: np.ndarray  # histogram density of the averaged generator (the one judged)
    raw_gen_density: np.ndarray  # the same for the trained generator (drawn dotted)
    num_samples: int
    js_bits: float  # JS(p_data || p_g) in bits, on the histogram's bins (+1 bin outside)
    gen_mean: float
    gen_std: float
    d_max_dev: float  # how far D is from its equilibrium where the data lie (see judge)
    d_star_gap: float  # max |D - D*| where D is judged (NaN where D* is undefined)
    value: float  # V(D, G) (cross-entropy games) or the Wasserstein estimate (wgan-gp)
    verdict: str  # one of VERDICTS, of this evaluation alone (no hysteresis)
    verdict_text: str  # the verdict in plain words, with its numbers
    d_equilibrium: float | None  # where D settles at the equilibrium (None: no one value)
    central: tuple[float, float]  # the real data's central 95%
    judged: tuple[tuple[float, float], ...]  # where D is judged: the 95% of highest density
    mode_shares: tuple[float, ...] = ()  # mixtures: the trained G's share near each mode
    words: Words = PROBABILITY_D  # how the verdict names D, for a Verdict following the run


class Evaluator:
    """Turns :class:`ModelState` into :class:`Evaluation`; owns its own network copies."""

    def __init__(self, seed: int = 0, device: str | torch.device = "cpu") -> None:
        self.device = torch.device(device)
        self.rng = torch.Generator(self.device).manual_seed(seed)
        self._copies = NetworkCopies(build_toy_networks, self.device)

    def _load(self, state: ModelState) -> tuple[nn.Module, nn.Module, nn.Module]:
        return self._copies.load(state.spec, state.generator, state.raw_generator,
                                 state.discriminator)

    @torch.inference_mode()
    def evaluate(self, state: ModelState, num_samples: int = DENSITY_SAMPLES) -> Evaluation:
        generator, raw_generator, discriminator = self._load(state)
        return self.evaluate_networks(state, generator, raw_generator, discriminator,
                                      self.rng, num_samples)

    @staticmethod
    @torch.inference_mode()
    def evaluate_networks(state: ModelState, generator: nn.Module, raw_generator: nn.Module,
                          discriminator: nn.Module, rng: torch.Generator,
                          num_samples: int = DENSITY_SAMPLES) -> Evaluation:
        return evaluate(state, generator, raw_generator, discriminator, rng, num_samples)


@torch.inference_mode()
def sample(network: nn.Module, n: int, offset: float, scale: float,
           rng: torch.Generator, noise: str = "gaussian", noise_range: float = 1.0) -> np.ndarray:
    """``n`` samples of a generator in data units, float32 (n,)."""
    z = draw_noise(n, noise, noise_range, rng)
    return network(z).mul_(scale).add_(offset).reshape(-1).cpu().numpy()


@torch.inference_mode()
def discriminator_output(network: nn.Module, x: np.ndarray, offset: float, scale: float,
                         objective: objectives.Objective,
                         reference: np.ndarray | None = None) -> np.ndarray:
    """D's output (a probability, or the critic's value) for points ``x`` in data units.

    A minibatch discriminator scores each point as one member of the batch ``reference``
    (data units) plus itself.
    """
    device = next(network.parameters()).device

    def to_network(values: np.ndarray) -> torch.Tensor:
        return torch.as_tensor((np.asarray(values, dtype=np.float64) - offset) / scale,
                               dtype=torch.float32, device=device).reshape(-1, 1)

    if isinstance(network, MinibatchDiscriminator):
        raw = torch.cat([network(chunk, to_network(reference))
                         for chunk in to_network(x).split(1024)])
    else:
        raw = network(to_network(x))
    return objective.d_output(raw).reshape(-1).cpu().numpy().astype(np.float64)


def discriminate(network: nn.Module, x: np.ndarray, offset: float, scale: float) -> np.ndarray:
    """D(x) = sigmoid(logit) for points ``x`` in data units (cross-entropy games)."""
    return discriminator_output(network, x, offset, scale, objectives.get("nonsaturating"))


def _smoothed(density: np.ndarray, bins: float = 1.0) -> np.ndarray:
    """The histogram convolved with a Gaussian of ``bins`` bins: a steadier p_g for D*."""
    radius = math.ceil(3 * bins)
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (offsets / bins) ** 2)
    kernel /= kernel.sum()
    return np.convolve(density, kernel, mode="same")


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray,
                          objective: objectives.Objective, smoothing: float) -> np.ndarray:
    """D*(x) for the current generator: p_data / (p_data + p_g), times (1 - s) with one-sided
    label smoothing s; NaN where neither density has mass, or where the objective's optimum
    is not a function of the two densities (hinge: a step; wgan-gp: no closed form)."""
    if not objective.has_d_star:
        return np.full_like(p_data, np.nan)
    # Where both densities are almost nil D* is 0/0, and its estimate only sampling noise:
    # it is left undefined below 1% of the real density's peak.
    total = p_data + p_g
    floor = 0.01 * max(float(p_data.max()), 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        d_star = np.where(total > floor, p_data / total, np.nan)
    if objective.uses_smoothing():
        d_star = d_star * (1.0 - smoothing)
    return d_star


def evaluate(
    state: ModelState,
    generator: nn.Module,
    raw_generator: nn.Module,
    discriminator: nn.Module,
    rng: torch.Generator,
    num_samples: int = DENSITY_SAMPLES,
    curve_points: int = 401,
) -> Evaluation:
    """Densities, D, D*, the divergence, V and the verdict, from ``num_samples`` samples."""
    target: Target1D = make_target(state.target)
    objective = objectives.get(state.loss)
    offset, scale = state.offset, state.scale
    averaged = sample(generator, num_samples, offset, scale, rng, state.noise, state.noise_range)
    raw = sample(raw_generator, num_samples, offset, scale, rng, state.noise, state.noise_range)

    # The x range holds the target's support and nearly all the generator's mass, rounded
    # outward to a round step so that it stays put while the generator wobbles.
    lo, hi = target.support(5.0)
    finite = np.isfinite(averaged)
    if finite.all():
        g_lo, g_hi = np.percentile(averaged, (0.5, 99.5))
        lo, hi = min(lo, float(g_lo)), max(hi, float(g_hi))
    lo, hi = rounded_range(lo, hi)
    # Bins an eighth of the target's finest scale wide, within limits that keep both the
    # sampling noise per bin and the drawing cost small.
    resolution = float(np.min(getattr(target, "sigmas", target.std)))
    bins = int(np.clip(round((hi - lo) / (resolution / 8.0)), 60, 400))
    edges = np.linspace(lo, hi, bins + 1)

    gen_density, gen_outside = histogram_density(averaged, edges)
    raw_density, _ = histogram_density(raw, edges)
    cdf = target.cdf(edges)
    real_mass = np.append(np.diff(cdf), cdf[0] + (1.0 - cdf[-1]))
    gen_mass = np.append(gen_density * np.diff(edges), gen_outside / num_samples)
    js = js_divergence_bits(real_mass, gen_mass)

    # D is scored on the plot's grid and where the real data lie.
    x = np.linspace(lo, hi, curve_points)
    c_lo, c_hi = target.central_interval(CENTRAL_MASS)
    judged_region = target.high_density_region(CENTRAL_MASS)
    judged = _points_over(judged_region, 201)
    reference = None
    if isinstance(discriminator, MinibatchDiscriminator):
        reference = raw[: max(1, state.batch_size - 1)]  # as one more member of a G batch
    d_values = discriminator_output(discriminator, np.concatenate((x, judged)),
                                    offset, scale, objective, reference)
    d_curve, d_judged = d_values[:curve_points], d_values[curve_points:]

    # D* from the exact p_data and the (smoothed) histogram of the averaged generator: the
    # generator drawn as the fill, whose JS the verdict judges. D* of the trained one (the
    # dotted histogram, which D plays against) wobbles with it: the default preset's
    # trained G swings between std 0.3 and 0.65 around the target while the averaged one
    # stays within 0.47-0.49, and a D* of the one beside a JS of the other contradicted it.
    centres = 0.5 * (edges[:-1] + edges[1:])
    p_g_smooth = _smoothed(gen_density, bins=2.0)
    # D and D* are compared where D is judged, where the data lie: between a mixture's
    # modes p_data and p_g are both tiny and D* = p_data / (p_data + p_g) is the ratio of
    # two noisy estimates (bimodal: off by 0.12 there with every sample where it belongs).
    both = np.concatenate((x, judged))
    p_data = target.pdf(both)
    p_g = np.interp(both, centres, p_g_smooth, left=0.0, right=0.0)
    d_star_all = optimal_discriminator(p_data, p_g, objective, state.label_smoothing)
    d_star, d_star_judged = d_star_all[:curve_points], d_star_all[curve_points:]
    gaps = np.abs(d_judged - d_star_judged)
    d_star_gap = float(np.nanmax(gaps)) if np.isfinite(gaps).any() else math.nan

    equilibrium = objective.equilibrium(state.label_smoothing)
    value = game_value(target, objective, discriminator, raw, offset, scale, reference)
    dev_label = None
    if equilibrium.d_output is not None:
        d_max_dev = float(np.max(np.abs(d_judged - equilibrium.d_output)))
    elif objective.name == "hinge":
        # At p_g = p_data every D with values in [-1, 1] is optimal: the distance from that
        # set is what must vanish, not D's slope.
        d_max_dev = float(np.max(np.maximum(np.abs(d_judged) - 1.0, 0.0)))
        dev_label = "D's distance from [−1, 1]"
    else:
        # WGAN-GP: the penalty keeps the critic's slope near 1 even at the equilibrium, so
        # the critic is never flat; its Wasserstein estimate is what goes to 0.
        d_max_dev = abs(value) if math.isfinite(value) else math.inf
        dev_label = "|E C(real) − E C(fake)|"
    shares: tuple[float, ...] = ()
    note = ""
    if isinstance(target, Mixture1D):
        # Coverage of the generator as trained: collapse is its behaviour, and averaging the
        # weights of one that hops between modes gives a blob between them (seen on bimodal).
        shares = mode_shares(target, raw)
        note = describe_modes(target, shares)  # after the numbers
    words = Words(objective.d_name, equilibrium.d_output, dev_label, note)
    verdict, verdict_text = Verdict().update(js, d_max_dev, d_star_gap, words)
    return Evaluation(
        step=state.step,
        x=x.astype(np.float32),
        real_pdf=p_data[:curve_points].astype(np.float32),
        d_curve=d_curve.astype(np.float32),
        d_star=d_star.astype(np.float32),
        edges=edges.astype(np.float32),
        gen_density=gen_density.astype(np.float32),
        raw_gen_density=raw_density.astype(np.float32),
        num_samples=num_samples,
        js_bits=js,
        gen_mean=float(averaged[finite].mean(dtype=np.float64)) if finite.any() else math.nan,
        gen_std=float(averaged[finite].std(dtype=np.float64)) if finite.any() else math.nan,
        d_max_dev=d_max_dev,
        d_star_gap=d_star_gap,
        value=value,
        verdict=verdict,
        verdict_text=verdict_text,
        d_equilibrium=equilibrium.d_output,
        central=(c_lo, c_hi),
        judged=judged_region,
        mode_shares=shares,
        words=words,
    )


def _points_over(intervals: tuple[tuple[float, float], ...], count: int) -> np.ndarray:
    """About ``count`` evenly spread points over ``intervals``, each end included."""
    lengths = np.array([b - a for a, b in intervals], dtype=np.float64)
    shares = lengths / lengths.sum()  # intervals of the data have width: never all zero
    return np.concatenate([np.linspace(a, b, max(2, round(count * share)))
                           for (a, b), share in zip(intervals, shares, strict=True)])


# A mode holding less than this fraction of its real weight counts as dropped.
MODE_DROPPED = 0.2


def mode_shares(target: Mixture1D, samples: np.ndarray) -> tuple[float, ...]:
    """Share of the samples near each component: within 3 of its sigmas, given to the
    component whose weighted density there is highest."""
    x = samples[np.isfinite(samples)][:, None]
    if not len(x):
        return tuple(0.0 for _ in target.means)
    u = (x - target.means[None]) / target.sigmas[None]
    weighted = target.weights[None] * np.exp(-0.5 * u * u) / target.sigmas[None]
    owner = np.argmax(weighted, axis=1)
    near = np.abs(u[np.arange(len(x)), owner]) < 3.0
    return tuple(float(np.mean(near & (owner == i))) for i in range(len(target.means)))


def describe_modes(target: Mixture1D, shares: tuple[float, ...]) -> str:
    """A sentence on mode coverage for the verdict: which modes the generator dropped."""
    dropped = [i for i, (share, weight) in enumerate(zip(shares, target.weights, strict=True))
               if share < MODE_DROPPED * weight]
    listing = ", ".join(f"{share:.0%} at {mean:g} (real {weight:.0%})" for share, mean, weight
                        in zip(shares, target.means, target.weights, strict=True))
    if dropped:
        means = ", ".join(f"{target.means[i]:g}" for i in dropped)
        return (f" Mode collapse: {len(dropped)} of {len(shares)} modes dropped (at {means});"
                f" samples of G as trained near each mode: {listing}.")
    return f" All {len(shares)} modes covered; samples of G as trained near each mode: {listing}."


def game_value(target: Target1D, objective: objectives.Objective, discriminator: nn.Module,
               fake: np.ndarray, offset: float, scale: float,
               reference: np.ndarray | None) -> float:
    """V(D, G) = E_data log D(x) + E_g log(1 - D(G(z))) for the cross-entropy games (at most
    -log 4 + 2 JS, and -log 4 at the equilibrium); the Wasserstein estimate
    E C(real) - E C(fake) for wgan-gp; NaN for the others, whose D is no probability.

    The data term is exact up to quadrature (the target's pdf on 2,001 points); the
    generator term averages over its samples.
    """
    if not objective.has_value:
        return math.nan
    lo, hi = target.support(6.0)
    grid = np.linspace(lo, hi, 2001)
    weights = target.pdf(grid)
    weights = weights / weights.sum()
    fake = fake[np.isfinite(fake)]
    if not len(fake):
        return math.nan
    raw_objective = objectives.get("lsgan")  # any objective whose D output is the raw one
    real_out = discriminator_output(discriminator, grid, offset, scale, raw_objective, reference)
    fake_out = discriminator_output(discriminator, fake, offset, scale, raw_objective, reference)
    if objective.name == "wgan-gp":
        return float(np.sum(weights * real_out) - fake_out.mean())
    # log D = -softplus(-l), log(1 - D) = -softplus(l): exact where D saturates.
    log_d_real = -np.logaddexp(0.0, -real_out)
    log_not_d_fake = -np.logaddexp(0.0, fake_out)
    return float(np.sum(weights * log_d_real) + log_not_d_fake.mean())

