"""What the 1-D view shows, computed from a copy of the networks' weights.

The trainer hands out its weights as plain numpy (a :class:`ModelState`); anything, in
any thread, can turn them into densities, D(x) and divergences here. The window does
this on a thread of its own, so that the 20,000-sample density estimates never cost the
training thread more than the copy of a few thousand weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ganviz.core.data import Gaussian1D
from ganviz.core.metrics import histogram_density, js_divergence_bits, nice_step
from ganviz.core.models import mlp

DENSITY_SAMPLES = 20_000


@dataclass
class ModelState:
    """The networks and the target at one iteration, as plain numpy."""

    step: int
    generator: dict[str, np.ndarray]  # the averaged (EMA) generator: the one drawn
    raw_generator: dict[str, np.ndarray]  # the trained generator
    discriminator: dict[str, np.ndarray]
    hidden_width: int
    hidden_layers: int
    target_mean: float
    target_sigma: float
    offset: float  # the networks see (x - offset) / scale
    scale: float


@dataclass
class Evaluation:
    """Curves of the densities plot (data units) and the numbers that judge them."""

    step: int
    x: np.ndarray  # grid of the curves
    real_pdf: np.ndarray  # exact density of the target on x
    d_curve: np.ndarray  # D(x) on x
    edges: np.ndarray  # histogram bin edges
    gen_density: np.ndarray  # histogram density of the averaged generator
    raw_gen_density: np.ndarray  # the same for the trained generator
    num_samples: int
    js_bits: float  # JS(p_data || p_g) in bits, on the histogram's bins (+1 bin outside)
    gen_mean: float
    gen_std: float
    d_max_dev: float  # max |D(x) - 0.5| over the target's mean +- 2 sigma


def state_dict_numpy(module: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


class Evaluator:
    """Turns :class:`ModelState` into :class:`Evaluation`; owns its own network copies."""

    def __init__(self, seed: int = 0, device: str | torch.device = "cpu") -> None:
        self.device = torch.device(device)
        self.rng = torch.Generator(self.device).manual_seed(seed)
        self._networks: dict[tuple[int, int], tuple[nn.Module, nn.Module, nn.Module]] = {}

    def _load(self, state: ModelState) -> tuple[nn.Module, nn.Module, nn.Module]:
        key = (state.hidden_width, state.hidden_layers)
        if key not in self._networks:
            self._networks[key] = tuple(
                mlp(1, *key, 1).to(self.device).requires_grad_(False) for _ in range(3)
            )
        networks = self._networks[key]
        for network, weights in zip(
            networks, (state.generator, state.raw_generator, state.discriminator), strict=True
        ):
            network.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
        return networks

    @torch.inference_mode()
    def evaluate(self, state: ModelState, num_samples: int = DENSITY_SAMPLES) -> Evaluation:
        generator, raw_generator, discriminator = self._load(state)
        return evaluate(
            generator, raw_generator, discriminator,
            Gaussian1D(state.target_mean, state.target_sigma),
            state.offset, state.scale, state.step, self.rng, num_samples,
        )


@torch.inference_mode()
def sample(network: nn.Module, n: int, offset: float, scale: float,
           rng: torch.Generator) -> np.ndarray:
    """``n`` samples of a generator in data units, float32 (n,)."""
    z = torch.randn(n, 1, generator=rng, device=rng.device)
    return network(z).mul_(scale).add_(offset).reshape(-1).cpu().numpy()


@torch.inference_mode()
def discriminate(network: nn.Module, x: np.ndarray, offset: float, scale: float) -> np.ndarray:
    """D(x) (a probability) for points ``x`` in data units."""
    device = next(network.parameters()).device
    x_net = torch.as_tensor((np.asarray(x, dtype=np.float64) - offset) / scale,
                            dtype=torch.float32, device=device).reshape(-1, 1)
    return torch.sigmoid(network(x_net)).reshape(-1).cpu().numpy()


def evaluate(
    generator: nn.Module,
    raw_generator: nn.Module,
    discriminator: nn.Module,
    target: Gaussian1D,
    offset: float,
    scale: float,
    step: int,
    rng: torch.Generator,
    num_samples: int = DENSITY_SAMPLES,
    curve_points: int = 401,
) -> Evaluation:
    """Densities, D(x) and the divergence, from ``num_samples`` generator samples."""
    averaged = sample(generator, num_samples, offset, scale, rng)
    raw = sample(raw_generator, num_samples, offset, scale, rng)

    # The x range holds the target's +-5 sigma and nearly all the generator's mass,
    # rounded outward to a round step so that it stays put while the generator wobbles.
    lo, hi = target.support(5.0)
    finite = np.isfinite(averaged)
    if finite.all():
        g_lo, g_hi = np.percentile(averaged, (0.5, 99.5))
        lo, hi = min(lo, float(g_lo)), max(hi, float(g_hi))
    step_x = nice_step(hi - lo, 10)
    lo, hi = math.floor(lo / step_x) * step_x, math.ceil(hi / step_x) * step_x
    # Bins an eighth of the target's sigma wide, within limits that keep both the
    # sampling noise per bin and the drawing cost small.
    bins = int(np.clip(round((hi - lo) / (target.sigma / 8.0)), 60, 400))
    edges = np.linspace(lo, hi, bins + 1)

    gen_density, gen_outside = histogram_density(averaged, edges)
    raw_density, _ = histogram_density(raw, edges)
    cdf = target.cdf(edges)
    real_mass = np.append(np.diff(cdf), cdf[0] + (1.0 - cdf[-1]))
    gen_mass = np.append(gen_density * np.diff(edges), gen_outside / num_samples)
    js = js_divergence_bits(real_mass, gen_mass)

    x = np.linspace(lo, hi, curve_points)
    central = np.linspace(target.mean - 2 * target.sigma, target.mean + 2 * target.sigma, 201)
    d_values = discriminate(discriminator, np.concatenate((x, central)), offset, scale)
    return Evaluation(
        step=step,
        x=x.astype(np.float32),
        real_pdf=target.pdf(x).astype(np.float32),
        d_curve=d_values[:curve_points].astype(np.float32),
        edges=edges.astype(np.float32),
        gen_density=gen_density.astype(np.float32),
        raw_gen_density=raw_density.astype(np.float32),
        num_samples=num_samples,
        js_bits=js,
        gen_mean=float(averaged[finite].mean(dtype=np.float64)) if finite.any() else math.nan,
        gen_std=float(averaged[finite].std(dtype=np.float64)) if finite.any() else math.nan,
        d_max_dev=float(np.max(np.abs(d_values[curve_points:] - 0.5))),
    )
