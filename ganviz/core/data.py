"""Real data for the 1-D toy: a target distribution with an exact density."""

from __future__ import annotations

import math

import numpy as np
import torch

_SQRT2 = math.sqrt(2.0)


class Gaussian1D:
    """N(mean, sigma): exact pdf and cdf for the plots and divergences, torch sampling."""

    def __init__(self, mean: float, sigma: float) -> None:
        self.mean = float(mean)
        self.sigma = float(sigma)

    def pdf(self, x: np.ndarray) -> np.ndarray:
        u = (np.asarray(x, dtype=np.float64) - self.mean) / self.sigma
        return np.exp(-0.5 * u * u) / (self.sigma * math.sqrt(2.0 * math.pi))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        u = (np.asarray(x, dtype=np.float64) - self.mean) / (self.sigma * _SQRT2)
        return 0.5 * (1.0 + _erf(u))

    def sample(self, n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
        """``n`` samples as an (n, 1) float32 tensor, in data units."""
        eps = torch.randn(n, 1, generator=generator, device=device)
        return eps.mul_(self.sigma).add_(self.mean)

    def support(self, width: float = 5.0) -> tuple[float, float]:
        """The interval holding all but a negligible part of the mass (mean +- width sigma)."""
        return self.mean - width * self.sigma, self.mean + width * self.sigma


def _erf(u: np.ndarray) -> np.ndarray:
    # numpy has no erf; math.erf vectorised is fast enough for the few hundred points
    # of a plot grid and keeps scipy out of the dependencies.
    return np.vectorize(math.erf, otypes=[np.float64])(u)
