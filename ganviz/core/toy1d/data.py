"""Real data for the 1-D toy: target distributions with exact densities.

Each target gives its exact pdf and cdf (for the plots, D* and the divergences), its mean
and standard deviation (the networks see standardised data), and samples drawn with
torch from a given random stream.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

# torch is imported where samples are drawn, not here: the window draws the real density
# from these classes before torch has loaded (which takes seconds).
if TYPE_CHECKING:
    import torch

_SQRT2 = math.sqrt(2.0)
_SQRT3 = math.sqrt(3.0)


def _erf(u: np.ndarray) -> np.ndarray:
    # numpy has no erf; math.erf vectorised is fast enough for the few hundred points
    # of a plot grid and keeps scipy out of the dependencies.
    return np.vectorize(math.erf, otypes=[np.float64])(u)


def _normal_pdf(x: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    u = (np.asarray(x, dtype=np.float64) - mean) / sigma
    return np.exp(-0.5 * u * u) / (sigma * math.sqrt(2.0 * math.pi))


def _normal_cdf(x: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    return 0.5 * (1.0 + _erf((np.asarray(x, dtype=np.float64) - mean) / (sigma * _SQRT2)))


class Target1D:
    """A distribution on the real line with an exact density."""

    mean: float
    std: float

    def pdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def cdf(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def sample(self, n: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
        """``n`` samples as an (n, 1) float32 tensor, in data units."""
        raise NotImplementedError

    def support(self, width: float = 5.0) -> tuple[float, float]:
        """An interval holding all but a negligible part of the mass."""
        return self.mean - width * self.std, self.mean + width * self.std

    def quantile(self, q: float) -> float:
        """The ``q`` quantile, by bisection on the cdf (exact to 1e-9 of the support)."""
        lo, hi = self.support(12.0)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if float(self.cdf(np.array([mid]))[0]) < q:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    def central_interval(self, mass: float = 0.95) -> tuple[float, float]:
        tail = 0.5 * (1.0 - mass)
        return self.quantile(tail), self.quantile(1.0 - tail)

    def high_density_region(self, mass: float = 0.95) -> tuple[tuple[float, float], ...]:
        """Where the real data lie: the intervals of highest density that hold ``mass``.

        For a target with one symmetric peak that is the central interval, and the flat
        uniform has no highest part, so its central interval stands in. Mixtures differ.
        """
        return (self.central_interval(mass),)


class Gaussian1D(Target1D):
    def __init__(self, mean: float, sigma: float) -> None:
        self.mean = float(mean)
        self.sigma = self.std = float(sigma)

    def pdf(self, x):
        return _normal_pdf(x, self.mean, self.sigma)

    def cdf(self, x):
        return _normal_cdf(x, self.mean, self.sigma)

    def sample(self, n, generator, device):
        import torch

        eps = torch.randn(n, 1, generator=generator, device=device)
        return eps.mul_(self.sigma).add_(self.mean)

    def central_interval(self, mass: float = 0.95) -> tuple[float, float]:
        if mass == 0.95:  # the common case, without the bisection
            return self.mean - 1.959964 * self.sigma, self.mean + 1.959964 * self.sigma
        return super().central_interval(mass)


class Uniform1D(Target1D):
    """Uniform with the given mean and standard deviation (half-width sqrt(3) std)."""

    def __init__(self, mean: float, std: float) -> None:
        self.mean, self.std = float(mean), float(std)
        self.low, self.high = self.mean - _SQRT3 * self.std, self.mean + _SQRT3 * self.std

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.where((x >= self.low) & (x <= self.high), 1.0 / (self.high - self.low), 0.0)

    def cdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)

    def sample(self, n, generator, device):
        import torch

        u = torch.rand(n, 1, generator=generator, device=device)
        return u.mul_(self.high - self.low).add_(self.low)

    def support(self, width: float = 5.0) -> tuple[float, float]:
        margin = 0.25 * (self.high - self.low)  # room to see mass outside the box
        return self.low - margin, self.high + margin


class Laplace1D(Target1D):
    """Laplace with the given mean and standard deviation (scale std / sqrt(2))."""

    def __init__(self, mean: float, std: float) -> None:
        self.mean, self.std = float(mean), float(std)
        self.b = self.std / _SQRT2

    def pdf(self, x):
        x = np.asarray(x, dtype=np.float64)
        return np.exp(-np.abs(x - self.mean) / self.b) / (2.0 * self.b)

    def cdf(self, x):
        u = (np.asarray(x, dtype=np.float64) - self.mean) / self.b
        return np.where(u < 0, 0.5 * np.exp(np.minimum(u, 0.0)),
                        1.0 - 0.5 * np.exp(-np.maximum(u, 0.0)))

    def sample(self, n, generator, device):
        import torch

        # Inverse cdf of a uniform in (-1/2, 1/2), kept away from the ends.
        u = torch.rand(n, 1, generator=generator, device=device).clamp_(1e-7, 1 - 1e-7) - 0.5
        return -self.b * torch.sign(u) * torch.log1p(-2.0 * u.abs()) + self.mean

    def support(self, width: float = 5.0) -> tuple[float, float]:
        return self.mean - 1.6 * width * self.std, self.mean + 1.6 * width * self.std


class Mixture1D(Target1D):
    """A mixture of Gaussians: means, standard deviations, weights (normalised)."""

    def __init__(self, means, sigmas, weights) -> None:
        count = len(means)
        self.means = np.asarray(means, dtype=np.float64)
        self.sigmas = np.broadcast_to(np.asarray(sigmas, dtype=np.float64), (count,)).copy()
        weights = np.broadcast_to(np.asarray(weights, dtype=np.float64), (count,))
        self.weights = weights / weights.sum()
        self.mean = float(np.sum(self.weights * self.means))
        second = np.sum(self.weights * (self.sigmas**2 + self.means**2))
        self.std = float(math.sqrt(max(second - self.mean**2, 1e-12)))
        self._cumulative = np.cumsum(self.weights)[:-1]

    def pdf(self, x):
        return sum(w * _normal_pdf(x, m, s)
                   for w, m, s in zip(self.weights, self.means, self.sigmas, strict=True))

    def cdf(self, x):
        return sum(w * _normal_cdf(x, m, s)
                   for w, m, s in zip(self.weights, self.means, self.sigmas, strict=True))

    def sample(self, n, generator, device):
        import torch

        # The component of each sample: a uniform draw placed among the cumulative weights.
        u = torch.rand(n, generator=generator, device=device)
        cumulative = torch.as_tensor(self._cumulative, dtype=torch.float32, device=device)
        components = torch.searchsorted(cumulative, u, right=True)
        means = torch.as_tensor(self.means, dtype=torch.float32, device=device)[components]
        sigmas = torch.as_tensor(self.sigmas, dtype=torch.float32, device=device)[components]
        eps = torch.randn(n, generator=generator, device=device)
        return (means + sigmas * eps).reshape(n, 1)

    def support(self, width: float = 5.0) -> tuple[float, float]:
        return (float(np.min(self.means - width * self.sigmas)),
                float(np.max(self.means + width * self.sigmas)))

    def high_density_region(self, mass: float = 0.95) -> tuple[tuple[float, float], ...]:
        """The modes, without the gaps between them that the central interval spans."""
        return _mixture_high_density_region(tuple(self.means), tuple(self.sigmas),
                                            tuple(self.weights), mass)


@functools.lru_cache(maxsize=16)  # evaluated every frame; the target rarely changes
def _mixture_high_density_region(means: tuple, sigmas: tuple, weights: tuple,
                                 mass: float) -> tuple[tuple[float, float], ...]:
    """The set {x: pdf(x) >= level} holding ``mass``, as intervals: the level by bisection,
    the mass of each interval from the exact cdf."""
    mixture = Mixture1D(means, sigmas, weights)
    # A grid fine for every component (a spike of std 0.01 beside one of std 20 as well):
    # 801 points over each component's +-6 std.
    grid = np.unique(np.concatenate([
        np.linspace(m - 6.0 * s, m + 6.0 * s, 801)
        for m, s, w in zip(mixture.means, mixture.sigmas, mixture.weights, strict=True)
        if w > 0]))
    density = mixture.pdf(grid)

    def region(level: float) -> tuple[np.ndarray, np.ndarray]:
        inside = np.concatenate(([0], (density >= level).astype(np.int8), [0]))
        change = np.diff(inside)
        first, last = np.flatnonzero(change == 1), np.flatnonzero(change == -1) - 1
        starts, ends = grid[first], grid[last]
        # Each edge between its inside and outside grid points, where the density (linear
        # between them) crosses the level.
        for edges, at, outside in ((starts, first, first - 1), (ends, last, last + 1)):
            ok = (outside >= 0) & (outside < len(grid))
            i, o = at[ok], outside[ok]
            edges[ok] = grid[o] + (level - density[o]) / (density[i] - density[o]) * (
                grid[i] - grid[o])
        return starts, ends

    low, high = 0.0, float(density.max())  # holding everything, and nearly nothing
    for _ in range(50):
        level = 0.5 * (low + high)
        starts, ends = region(level)
        if float(np.sum(mixture.cdf(ends) - mixture.cdf(starts))) >= mass:
            low = level
        else:
            high = level
    starts, ends = region(low)
    return tuple(zip(starts.tolist(), ends.tolist(), strict=True))


def make_target(settings: dict) -> Target1D:
    """The target that the 1-D settings describe."""
    kind = settings.get("target", "gaussian")
    mean, std = settings["target_mean"], settings["target_sigma"]
    if kind == "mixture":
        return Mixture1D(settings["mixture_means"], settings["mixture_sigmas"],
                         settings["mixture_weights"])
    if kind == "uniform":
        return Uniform1D(mean, std)
    if kind == "laplace":
        return Laplace1D(mean, std)
    return Gaussian1D(mean, std)


TARGET_SETTINGS = ("target", "target_mean", "target_sigma", "mixture_means", "mixture_sigmas",
                   "mixture_weights")


def target_key(settings: dict) -> tuple:
    return tuple(settings[name] for name in TARGET_SETTINGS)
