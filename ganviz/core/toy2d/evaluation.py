"""What the 2-D view shows, computed from a copy of the networks' weights.

As for the 1-D toy, the window runs this on a thread of its own from a
:class:`~ganviz.core.toy2d.state.Toy2DState`: D's surface on a grid, the real and the fake
points, the direction the generator's loss pushes each fake point, the generator's
manifold (for 2-D noise), and KL/JS between real and fake samples on a grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from ganviz.core import objectives
from ganviz.core.networks import NetworkCopies
from ganviz.core.noise import draw_noise
from ganviz.core.toy2d.problem import MODE_COVERED_SHARE, build_networks, measure
from ganviz.core.toy2d.state import Toy2DState

SURFACE_RESOLUTION = 64  # D is drawn on a SURFACE_RESOLUTION x SURFACE_RESOLUTION grid
SHOWN_POINTS = 500  # real and fake points scattered (the fakes from fixed noise)
DIVERGENCE_SAMPLES = 2000  # generator samples KL/JS are measured on (against 2,000 real)
DIVERGENCE_BINS = 32
MANIFOLD_LINES = 21  # the manifold is the image of a 21 x 21 grid of noise values
# The longest arrows (95th percentile) are drawn this fraction of the view's width long.
ARROW_LENGTH = 0.07


@dataclass
class Evaluation2D:

    mode: ClassVar[str] = "2d"
    step: int
    bounds: tuple[float, float, float, float]
    surface: np.ndarray  # float32 (R, R): D(x) on the grid, [i, j] = (x_i, y_j)
    surface_colour: np.ndarray  # float32 (R, R) in [0, 1]: the heatmap (0.5 neutral)
    surface_is_probability: bool  # False: a critic, centred and scaled for the colours
    real_points: np.ndarray  # float32 (N, 2)
    fake_points: np.ndarray  # float32 (N, 2): the trained generator on fixed noise
    gradients: np.ndarray  # float32 (N, 2): -dL_G/dx at each fake point (data units)
    arrow_scale: float  # multiply gradients by this for arrows of a readable length
    manifold: np.ndarray | None  # float32 (L, L, 2): G of a noise grid (2-D noise only)
    kl_bits: float  # KL(p_real || p_fake) on the grid (see data2d.grid_divergences)
    js_bits: float
    divergence_note: str  # which grid and how many samples
    mode_shares: tuple[float, ...] = ()
    modes_covered: int = 0
    high_quality: float = math.nan  # share of samples within 3 sigma of some mode
    value: float = math.nan  # not measured in 2-D (EvaluationHistory's second curve)

    @property
    def modes_covered_share(self) -> float:
        """The share of a mixture's modes holding their 5% (NaN without modes)."""
        return self.modes_covered / len(self.mode_shares) if self.mode_shares else math.nan

    @property
    def verdict_text(self) -> str:
        text = f"KL {self.kl_bits:.3f} bits, JS {self.js_bits:.4f} bits"
        if self.mode_shares:
            text += (f"; {self.modes_covered} of {len(self.mode_shares)} modes covered "
                     f"(>= {MODE_COVERED_SHARE:.0%} of samples each), "
                     f"{self.high_quality:.0%} of samples within 3 sigma of a mode")
        return text


def fixed_noise(state: Toy2DState, n: int = SHOWN_POINTS) -> torch.Tensor:
    """The noise of the drawn fake points: the same for the whole run, so that each point
    can be followed from frame to frame."""
    rng = torch.Generator().manual_seed(state.seed + 271_828)
    return draw_noise(n, state.noise, state.noise_range, rng, state.spec["noise_dim"])


def noise_grid(state: Toy2DState, lines: int = MANIFOLD_LINES) -> torch.Tensor:
    """A square grid of 2-D noise values covering most of the noise's mass."""
    half = state.noise_range if state.noise == "uniform" else 2.5
    axis = torch.linspace(-half, half, lines)
    zx, zy = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack((zx.reshape(-1), zy.reshape(-1)), 1)


def generator_push(discriminator: nn.Module, objective: objectives.Objective,
                   points: torch.Tensor, offset: torch.Tensor, scale: float) -> torch.Tensor:
    """-dL_G/dx for each fake point x (data units): where the generator's loss pushes it.

    The loss is the objective's generator loss of each point on its own (the batch mean
    times the batch size), so an arrow does not shrink as more points are drawn.
    """
    x = points.detach().clone().requires_grad_(True)
    with torch.enable_grad():
        loss = objective.g_loss(discriminator((x - offset) / scale)) * len(x)
        (grad,) = torch.autograd.grad(loss, x)
    return -grad


class Evaluator2D:
    """Turns :class:`Toy2DState` into :class:`Evaluation2D`; owns its network copies."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = torch.Generator().manual_seed(seed)
        self._copies = NetworkCopies(build_networks, torch.device("cpu"))
        self._noise_key: tuple | None = None
        self._noise: torch.Tensor | None = None

    def _load(self, state: Toy2DState) -> tuple[nn.Module, nn.Module, nn.Module]:
        return self._copies.load(state.spec, state.generator, state.raw_generator,
                                 state.discriminator)

    def _fixed_noise(self, state: Toy2DState) -> torch.Tensor:
        key = (state.seed, state.spec["noise_dim"], state.noise, state.noise_range)
        if key != self._noise_key:
            self._noise_key, self._noise = key, fixed_noise(state)
        return self._noise

    def evaluate(self, state: Toy2DState) -> Evaluation2D:
        generator, raw_generator, discriminator = self._load(state)
        return evaluate(state, generator, raw_generator, discriminator,
                        self._fixed_noise(state), self.rng)


def evaluate(state: Toy2DState, generator: nn.Module, raw_generator: nn.Module,
             discriminator: nn.Module, shown_noise: torch.Tensor,
             rng: torch.Generator) -> Evaluation2D:
    objective = objectives.get(state.loss)
    offset = torch.as_tensor(state.offset)
    scale = state.scale
    x0, x1, y0, y1 = state.bounds

    def to_data(network_out: torch.Tensor) -> torch.Tensor:
        return network_out * scale + offset

    with torch.inference_mode():
        # D's surface: cell centres of a square grid over the view.
        r = SURFACE_RESOLUTION
        xs = torch.linspace(x0, x1, 2 * r + 1)[1::2]
        ys = torch.linspace(y0, y1, 2 * r + 1)[1::2]
        gx, gy = torch.meshgrid(xs, ys, indexing="ij")
        grid = torch.stack((gx.reshape(-1), gy.reshape(-1)), 1)
        surface = objective.d_output(discriminator((grid - offset) / scale)).reshape(r, r)
        fake = to_data(raw_generator(shown_noise))
        samples = to_data(generator(draw_noise(DIVERGENCE_SAMPLES, state.noise, state.noise_range,
                                               rng, state.spec["noise_dim"])))
        manifold = None
        if state.spec["noise_dim"] == 2:
            manifold = to_data(raw_generator(noise_grid(state))).reshape(
                MANIFOLD_LINES, MANIFOLD_LINES, 2).numpy().astype(np.float32)
    gradients = generator_push(discriminator, objective, fake, offset, scale)

    surface = surface.numpy().astype(np.float32)
    if objective.d_is_probability:
        colour = surface
    else:  # a critic's values have no fixed range: centre and scale them for the colours
        centred = surface - np.median(surface)
        spread = float(np.abs(centred).max()) or 1.0
        colour = 0.5 + 0.5 * centred / spread
    lengths = np.linalg.norm(gradients.numpy(), axis=1)
    finite = lengths[np.isfinite(lengths)]
    typical = float(np.percentile(finite, 95)) if len(finite) else 0.0
    arrow_scale = ARROW_LENGTH * (x1 - x0) / typical if typical > 0 else 0.0

    measured = measure(samples.numpy().astype(np.float32), state.real_points, state.bounds,
                       state.modes, state.mode_sigma, DIVERGENCE_BINS)
    return Evaluation2D(
        step=state.step,
        bounds=state.bounds,
        surface=surface,
        surface_colour=colour.astype(np.float32),
        surface_is_probability=objective.d_is_probability,
        real_points=state.real_points[:SHOWN_POINTS],
        fake_points=fake.numpy().astype(np.float32),
        gradients=gradients.numpy().astype(np.float32),
        arrow_scale=arrow_scale,
        manifold=manifold,
        kl_bits=measured["kl_bits"],
        js_bits=measured["js_bits"],
        divergence_note=(f"histograms on a {DIVERGENCE_BINS}x{DIVERGENCE_BINS} grid over the "
                         f"view, {len(state.real_points):,} real vs {DIVERGENCE_SAMPLES:,} "
                         f"generated samples"),
        mode_shares=tuple(measured.get("mode_shares", ())),
        modes_covered=measured.get("modes_covered", 0),
        high_quality=measured.get("high_quality", math.nan),
    )
