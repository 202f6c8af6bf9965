import numpy as np
import pytest

from ganviz.core.metrics import histogram_density, js_divergence_bits, nice_step
from ganviz.core.toy1d.data import Gaussian1D


def test_js_divergence_bounds():
    p = np.array([0.2, 0.3, 0.5])
    assert js_divergence_bits(p, p) == pytest.approx(0.0, abs=1e-12)
    assert js_divergence_bits([1, 0], [0, 1]) == pytest.approx(1.0)  # disjoint: 1 bit
    assert js_divergence_bits([1, 1], [1, 3]) == pytest.approx(
        js_divergence_bits([1, 3], [1, 1])
    )


def test_js_divergence_of_known_pair():
    # JS between (1, 0) and (1/2, 1/2): m = (3/4, 1/4).
    expected = 0.5 * np.log2(1 / 0.75) + 0.5 * (0.5 * np.log2(0.5 / 0.75) + 0.5 * np.log2(2))
    assert js_divergence_bits([1, 0], [0.5, 0.5]) == pytest.approx(expected)


def test_histogram_density_integrates_to_inside_share():
    rng = np.random.default_rng(0)
    samples = rng.normal(0, 1, 400_000)
    edges = np.linspace(-2, 2, 81)
    density, outside = histogram_density(samples, edges)
    inside_share = (density * np.diff(edges)).sum()
    assert inside_share == pytest.approx(1 - outside / len(samples))
    assert outside / len(samples) == pytest.approx(0.0455, abs=0.005)  # mass beyond 2 sigma
    target = Gaussian1D(0, 1)
    centres = 0.5 * (edges[1:] + edges[:-1])
    np.testing.assert_allclose(density, target.pdf(centres), atol=0.02)


def test_gaussian_pdf_and_cdf():
    target = Gaussian1D(4.0, 0.5)
    assert target.pdf(np.array([4.0]))[0] == pytest.approx(1 / (0.5 * np.sqrt(2 * np.pi)))
    assert target.cdf(np.array([4.0, 4.5]))[0] == pytest.approx(0.5)
    assert target.cdf(np.array([4.5]))[0] == pytest.approx(0.8413447, abs=1e-6)


@pytest.mark.parametrize(("span", "steps", "expected"), [(10, 10, 1), (4.3, 10, 0.5), (37, 10, 5)])
def test_nice_step(span, steps, expected):
    assert nice_step(span, steps) == expected
