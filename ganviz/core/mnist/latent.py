"""The latent explorer: what the averaged generator draws between two cells of the grid,
and around one of them. Nothing here changes training: it reads the grid's fixed inputs
and the averaged generator, in inference mode, and draws no number from the run's
random streams.

A generator input is z (``latent_dim`` numbers) followed by InfoGAN's codes, if any.
Between two cells, z follows the great circle (spherical interpolation: for Gaussian z
the straight line passes near the origin, where no z is ever drawn, and the digits there
wash out; White 2016) and the codes the straight line. Around one cell, z moves in the
plane of two random orthonormal directions, fixed per cell for the run (its seed).
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from ganviz.core.mnist.state import INTERPOLATION_STEPS, PAD_RANGE


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation from ``a`` (t = 0) to ``b`` (t = 1), one row per t; the
    norm goes linearly from |a| to |b|. Nearly parallel vectors: the straight line."""
    norm_a, norm_b = a.norm(), b.norm()
    unit_a, unit_b = a / norm_a.clamp_min(1e-12), b / norm_b.clamp_min(1e-12)
    angle = torch.arccos((unit_a * unit_b).sum().clamp(-1.0, 1.0))
    t = t.reshape(-1, 1)
    if float(torch.sin(angle)) < 1e-6:
        return a + t * (b - a)
    direction = (torch.sin((1 - t) * angle) * unit_a + torch.sin(t * angle) * unit_b) \
        / torch.sin(angle)
    return direction * (norm_a + t * (norm_b - norm_a))


def grid_input(problem, layout: str, cell: int) -> torch.Tensor:
    """The generator input of grid cell ``cell`` (row * 8 + column) in ``layout``."""
    inputs = problem.grid_inputs[problem.grid_layout(layout)]
    if not 0 <= cell < len(inputs):
        raise ValueError(f"no cell {cell} in a grid of {len(inputs)}")
    return inputs[cell]


def interpolation_inputs(problem, layout: str, first: int, second: int,
                         steps: int = INTERPOLATION_STEPS) -> torch.Tensor:
    """``steps`` inputs from cell ``first`` to cell ``second``, both included."""
    a, b = grid_input(problem, layout, first), grid_input(problem, layout, second)
    t = torch.linspace(0.0, 1.0, steps, device=a.device)
    latent = problem.latent
    z = slerp(a[:latent], b[:latent], t)
    codes = a[latent:] + t.reshape(-1, 1) * (b[latent:] - a[latent:])
    return torch.cat((z, codes), dim=1)


def pad_directions(problem, cell: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two orthonormal directions of z-space for ``cell``, the same all run long."""
    q = torch.from_numpy(_orthonormal_pair(problem.latent, cell, seed))
    return q[:, 0].to(problem.device), q[:, 1].to(problem.device)


@functools.lru_cache(maxsize=256)
def _orthonormal_pair(latent: int, cell: int, seed: int) -> np.ndarray:
    rng = torch.Generator().manual_seed(seed * 1_000_003 + cell)
    q, _ = torch.linalg.qr(torch.randn(latent, 2, generator=rng))  # orthonormal columns
    q.requires_grad_(False)
    return q.numpy().copy()


def pad_input(problem, layout: str, cell: int, point: tuple[float, float],
              seed: int) -> torch.Tensor:
    """Cell ``cell``'s input with z moved by ``point`` (each in -PAD_RANGE..PAD_RANGE)
    along its two directions."""
    base = grid_input(problem, layout, cell).clone()
    u, v = pad_directions(problem, cell, seed)
    x, y = (float(np.clip(value, -PAD_RANGE, PAD_RANGE)) for value in point)
    base[: problem.latent] += x * u + y * v
    return base[None]


@torch.inference_mode()
def explore(trainer, cells: tuple[int, ...], point: tuple[float, float]) -> np.ndarray:
    """Digits, uint8 (N, 28, 28): two cells, the interpolation between them; one cell,
    its digit moved to ``point`` on the pad."""
    problem, settings = trainer.problem, trainer.settings
    layout = settings["sample_grid"]
    if len(cells) == 2:
        inputs = interpolation_inputs(problem, layout, *cells)
    elif len(cells) == 1:
        inputs = pad_input(problem, layout, cells[0], point, settings["seed"])
    else:
        raise ValueError(f"explore one or two cells, not {len(cells)}")
    unit = problem.to_unit(trainer.generator_ema(inputs))
    return (unit * 255.0 + 0.5).astype(np.uint8)
