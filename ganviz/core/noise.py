"""The generators' input noise, shared by the toy modes."""

from __future__ import annotations

import torch

# S1's stratified noise: linspace(-range, range, N) plus this much uniform jitter.
STRATIFIED_JITTER = 0.01


def draw_noise(n: int, kind: str, spread: float, rng: torch.Generator,
               dim: int = 1) -> torch.Tensor:
    """``n`` inputs of ``dim`` dimensions: ``kind`` gaussian (N(0, I)), uniform
    (U(-spread, spread)) or stratified (S1's evenly spaced grid with a little jitter; 1-D)."""
    device = rng.device
    if kind == "uniform":
        return torch.rand(n, dim, generator=rng, device=device).mul_(2 * spread).sub_(spread)
    if kind == "stratified":
        if dim != 1:
            raise ValueError("stratified noise is one-dimensional")
        grid = torch.linspace(-spread, spread, n, device=device).reshape(n, 1)
        return grid + STRATIFIED_JITTER * torch.rand(n, 1, generator=rng, device=device)
    return torch.randn(n, dim, generator=rng, device=device)
