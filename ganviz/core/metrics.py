"""Numbers the views and the headless metrics show: densities, divergences, D's flatness."""

from __future__ import annotations

import math

import numpy as np


def js_divergence_bits(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (0..1) between two discrete distributions.

    ``p`` and ``q`` are non-negative weights over the same bins; they are normalised here.
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    p = p / p.sum()
    q = q / q.sum()
    m = 0.5 * (p + q)
    return float(max(0.0, 0.5 * _kl_bits(p, m) + 0.5 * _kl_bits(q, m)))


def _kl_bits(p: np.ndarray, m: np.ndarray) -> float:
    nonzero = p > 0  # m > 0 wherever p > 0, since m >= p / 2
    return float(np.sum(p[nonzero] * np.log2(p[nonzero] / m[nonzero])))


def histogram_density(samples: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, int]:
    """Density of ``samples`` on the bins ``edges`` (integrating to the share inside them).

    Returns the densities and the number of samples that fell outside the edges, which
    the divergence counts as one more bin so that mass off the plot is not ignored.
    """
    counts, _ = np.histogram(samples, bins=edges)
    widths = np.diff(edges)
    inside = int(counts.sum())
    return counts / (len(samples) * widths), len(samples) - inside


def nice_step(span: float, target_steps: int) -> float:
    """A 1, 2 or 5 times a power of ten close to ``span / target_steps``."""
    raw = span / target_steps
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if raw <= factor * power:
            return factor * power
    return 10.0 * power


def rounded_range(low: float, high: float, steps: int = 10) -> tuple[float, float]:
    """[low, high] widened outward to multiples of a round step (1, 2 or 5 x 10^n), so that
    a plot's range stays put while what it holds wobbles."""
    step = nice_step(high - low, steps)
    return math.floor(low / step) * step, math.ceil(high / step) * step
