"""2-D datasets: GAN Lab's toy distributions, hand-drawn strokes and files of points.

Every dataset samples float32 points in data units from a torch generator, so a run is
reproducible from its seed. Mixtures of Gaussians (``ring8``, ``grid25``,
``two-gaussians``) also know their modes, which is what mode coverage is measured
against. Nothing here imports Qt.
"""

from __future__ import annotations

import math

import numpy as np
import torch

# Reading drawn strokes and points files needs no torch: that is points.py.

DATASETS = ("ring8", "grid25", "two-moons", "spiral", "line", "two-gaussians", "custom")
# Drawn strokes and files of points are sampled as their points plus this much Gaussian
# jitter (data units), so that a handful of points still makes a continuous density.
CUSTOM_JITTER = 0.03


class Dataset2D:
    """A 2-D distribution: ``sample`` in data units, and the square it is drawn in."""

    name = ""
    description = ""
    modes: np.ndarray | None = None  # (M, 2) centres of a Gaussian mixture, else None
    mode_sigma: float = 0.0

    def sample(self, n: int, rng: torch.Generator) -> torch.Tensor:
        raise NotImplementedError

    def bounds(self) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) of a square view that holds the data with margin."""
        points = self.sample(4096, torch.Generator().manual_seed(1)).numpy()
        return square_bounds(points)


def square_bounds(points: np.ndarray, margin: float = 0.25) -> tuple[float, float, float, float]:
    """A square around ``points`` (a view of 2-D data must not stretch one axis)."""
    low, high = points.min(0), points.max(0)
    centre = (low + high) / 2.0
    half = max(float((high - low).max()) / 2.0, 0.5) * (1.0 + margin)
    return (float(centre[0] - half), float(centre[0] + half),
            float(centre[1] - half), float(centre[1] + half))


class GaussianMixture2D(Dataset2D):
    """Equal-weight isotropic Gaussians of one standard deviation."""

    def __init__(self, name: str, centres, sigma: float, description: str) -> None:
        self.name = name
        self.modes = np.asarray(centres, dtype=np.float64)
        self.mode_sigma = sigma
        self.description = description
        self._centres = torch.as_tensor(self.modes, dtype=torch.float32)

    def sample(self, n: int, rng: torch.Generator) -> torch.Tensor:
        index = torch.randint(len(self.modes), (n,), generator=rng)
        return self._centres[index] + self.mode_sigma * torch.randn(n, 2, generator=rng)

    def bounds(self) -> tuple[float, float, float, float]:
        return square_bounds(self.modes + 0.0, margin=0.25 + 4 * self.mode_sigma)


class TwoMoons(Dataset2D):
    """scikit-learn's two interleaving half circles, centred, with Gaussian noise 0.05."""

    name = "two-moons"
    description = "two interleaving half circles, noise std 0.05"

    def sample(self, n: int, rng: torch.Generator) -> torch.Tensor:
        t = math.pi * torch.rand(n, generator=rng)
        upper = torch.rand(n, generator=rng) < 0.5
        x = torch.where(upper, torch.cos(t), 1.0 - torch.cos(t)) - 0.5
        y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t)) - 0.25
        points = torch.stack((x, y), 1) * 1.5
        return points + 0.05 * torch.randn(n, 2, generator=rng)


class Spiral(Dataset2D):
    """One arm of an Archimedean spiral, 1.5 turns out to radius 2, noise std 0.04."""

    name = "spiral"
    description = "an Archimedean spiral, 1.5 turns to radius 2, noise std 0.04"

    def sample(self, n: int, rng: torch.Generator) -> torch.Tensor:
        # sqrt makes the density even along the arm (its length grows with the radius).
        t = torch.sqrt(torch.rand(n, generator=rng)) * 0.9 + 0.1
        angle = 3.0 * math.pi * t
        points = torch.stack((torch.cos(angle), torch.sin(angle)), 1) * (2.0 * t)[:, None]
        return points + 0.04 * torch.randn(n, 2, generator=rng)


class Line(Dataset2D):
    """Uniform on the segment from (-2, -1) to (2, 1), noise std 0.03."""

    name = "line"
    description = "uniform on a segment from (-2, -1) to (2, 1), noise std 0.03"

    def sample(self, n: int, rng: torch.Generator) -> torch.Tensor:
        t = torch.rand(n, 1, generator=rng) * 2.0 - 1.0
        return t * torch.tensor([[2.0, 1.0]]) + 0.03 * torch.randn(n, 2, generator=rng)


class Points2D(Dataset2D):
    """An empirical distribution: the given points (a file, or strokes sampled densely)
    plus Gaussian jitter."""

    name = "custom"

    def __init__(self, points: np.ndarray, description: str,
                 jitter: float = CUSTOM_JITTER) -> None:
        self.points = torch.as_tensor(np.asarray(points, dtype=np.float32))
        self.description = description
        self.jitter = jitter

    def sample(self, n: int, rng: torch.Generator) -> torch.Tensor:
        index = torch.randint(len(self.points), (n,), generator=rng)
        return self.points[index] + self.jitter * torch.randn(n, 2, generator=rng)

    def bounds(self) -> tuple[float, float, float, float]:
        return square_bounds(self.points.numpy())


def ring8() -> GaussianMixture2D:
    angles = np.arange(8) * (2 * np.pi / 8)
    return GaussianMixture2D(
        "ring8", 2.0 * np.stack((np.cos(angles), np.sin(angles)), 1), 0.05,
        "8 Gaussians of std 0.05 on the circle of radius 2")


def grid25() -> GaussianMixture2D:
    coords = np.arange(-4.0, 5.0, 2.0)
    centres = np.array([(x, y) for x in coords for y in coords])
    return GaussianMixture2D("grid25", centres, 0.05,
                             "a 5x5 grid of Gaussians of std 0.05, 2 apart")


def two_gaussians() -> GaussianMixture2D:
    return GaussianMixture2D("two-gaussians", [(-1.5, -1.0), (1.5, 1.0)], 0.3,
                             "two Gaussians of std 0.3 at (-1.5, -1) and (1.5, 1)")


_BUILDERS = {"ring8": ring8, "grid25": grid25, "two-moons": TwoMoons, "spiral": Spiral,
             "line": Line, "two-gaussians": two_gaussians}


def make_dataset(name: str, custom: Points2D | None = None) -> Dataset2D:
    """The dataset of the ``dataset`` setting; ``custom`` is what was drawn or loaded."""
    if name == "custom":
        if custom is None:
            raise ValueError("dataset custom: no points yet; draw some or open a points file")
        return custom
    return _BUILDERS[name]()


# ------------------------------------------------------------------------- measuring
def mode_coverage(samples: np.ndarray, modes: np.ndarray, sigma: float,
                  radius_sigmas: float = 3.0) -> tuple[np.ndarray, float]:
    """Per mode, the share of ``samples`` within ``radius_sigmas`` sigma of it; and the
    share within that distance of any mode (the "high quality" samples)."""
    distances = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=2)
    nearest = distances.argmin(1)
    close = distances[np.arange(len(samples)), nearest] <= radius_sigmas * sigma
    shares = np.bincount(nearest[close], minlength=len(modes)) / max(len(samples), 1)
    return shares, float(close.mean()) if len(samples) else 0.0


def grid_divergences(real: np.ndarray, fake: np.ndarray,
                     bounds: tuple[float, float, float, float], bins: int = 32,
                     floor: float = 0.01) -> tuple[float, float]:
    """KL(p_real || p_fake) and JS(p_real || p_fake), in bits, between the two samples'
    histograms on a ``bins`` x ``bins`` grid over ``bounds`` (points outside are clipped
    onto the border cells, so no mass is lost).

    KL is infinite wherever the fakes leave a cell of real data empty, which a finite
    sample always does somewhere: the fake histogram is mixed with ``floor`` of a uniform
    distribution first, which caps KL at log2(bins^2 / floor) (16.6 bits for 32 x 32).
    """
    x0, x1, y0, y1 = bounds

    def histogram(points: np.ndarray) -> np.ndarray:
        # Clipped as floats: a huge coordinate cast to int64 first would wrap around.
        ix = np.clip((points[:, 0] - x0) / (x1 - x0) * bins, 0, bins - 1).astype(np.int64)
        iy = np.clip((points[:, 1] - y0) / (y1 - y0) * bins, 0, bins - 1).astype(np.int64)
        counts = np.bincount(ix * bins + iy, minlength=bins * bins).astype(np.float64)
        return counts / max(counts.sum(), 1.0)

    p, q = histogram(real), histogram(fake)
    m = 0.5 * (p + q)
    q_floor = (1.0 - floor) * q + floor / q.size
    nonzero = p > 0
    kl = float(np.sum(p[nonzero] * np.log2(p[nonzero] / q_floor[nonzero])))
    js = 0.5 * _kl(p, m) + 0.5 * _kl(q, m)
    return max(kl, 0.0), float(min(max(js, 0.0), 1.0))


def _kl(p: np.ndarray, m: np.ndarray) -> float:
    nonzero = p > 0
    return float(np.sum(p[nonzero] * np.log2(p[nonzero] / m[nonzero])))
