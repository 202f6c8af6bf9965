"""What each cell of the window's compare grid shows, computed cheaply enough for 16
variants 20 times a second (the single run's evaluation, 20,000 samples and a 401-point
D, costs 17 ms a variant: 16 of them would take a third of a second).

A cell's axes are fixed when the comparison starts (the target's support, the dataset's
view), so that cells compare at a glance and the curves never rescale. 1-D: the averaged
generator's histogram of CELL_SAMPLES samples on at most MAX_CELL_BINS bins and D on
CELL_CURVE_POINTS points, every frame; JS and the verdict (with its hysteresis, one
Verdict a variant as the main view keeps one) from JUDGED_SAMPLES samples, for one
variant a frame in turn: 2,048 samples draw a fair histogram, but their JS estimate is
biased by ~0.01 bits, the verdict's threshold. 2-D: the averaged generator's points
and D on a coarse grid every frame; the modes covered and the share of samples within
3 sigma in turn. Plain numpy out (core/compare_protocol.py), no Qt.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganviz.core.compare_protocol import Cell, Layout1D, Layout2D, LayoutImages
from ganviz.core.metrics import histogram_density, js_divergence_bits, rounded_range
from ganviz.core.noise import draw_noise
from ganviz.core.toy1d.data import Mixture1D
from ganviz.core.toy1d.evaluation import (
    CENTRAL_MASS,
    _points_over,
    _smoothed,
    discriminator_output,
    mode_shares,
    optimal_discriminator,
)
from ganviz.core.toy1d.verdict import Verdict, Words
from ganviz.core.toy2d.problem import measure

CELL_SAMPLES = 2048
JUDGED_SAMPLES = 16384  # JS's sampling bias on 120 bins: ~0.001 bits, a tenth of its threshold
MAX_CELL_BINS = 120
CELL_CURVE_POINTS = 161
CELL_POINTS_2D = 400  # points drawn in a 2-D cell
CELL_MEASURED_2D = 2000  # samples behind a 2-D cell's figures
CELL_SURFACE = 24  # D's surface in a 2-D cell: 24 x 24


class CellMaker1D:
    """The cells of 1-D variants (their trainers, up to date, passed to :meth:`cell`)."""

    def __init__(self, trainers) -> None:
        self.verdicts = [Verdict() for _ in trainers]
        self.figures: dict[int, tuple[float, str]] = {}  # each variant's last JS and verdict
        self.layouts = [self._layout(t) for t in trainers]
        self.rng = torch.Generator().manual_seed(0)  # its own: training's streams untouched

    @staticmethod
    def _layout(trainer) -> Layout1D:
        target = trainer.problem.target
        lo, hi = rounded_range(*target.support(5.0))
        resolution = float(np.min(getattr(target, "sigmas", target.std)))
        bins = int(np.clip(round((hi - lo) / (resolution / 8.0)), 40, MAX_CELL_BINS))
        x = np.linspace(lo, hi, CELL_CURVE_POINTS)
        return Layout1D(x.astype(np.float32), target.pdf(x).astype(np.float32),
                        np.linspace(lo, hi, bins + 1).astype(np.float32),
                        _points_over(target.high_density_region(CENTRAL_MASS), 101),
                        trainer.objective.d_is_probability)

    @torch.inference_mode()
    def cell(self, index: int, trainer, judge: bool = True) -> Cell:
        """Variant ``index``'s cell; ``judge``: measure its JS and verdict afresh (else
        the last ones stand)."""
        problem, s = trainer.problem, trainer.settings
        count = JUDGED_SAMPLES if judge or index not in self.figures else CELL_SAMPLES
        noise = draw_noise(count, s["noise"], s["noise_range"], self.rng)
        samples = (trainer.generator_ema(noise) * problem.scale + problem.offset).reshape(-1)
        samples = samples.numpy()
        reference = None
        if trainer.problem.batch_dependent:  # minibatch discrimination: as one of a G batch
            reference = samples[: max(1, s["batch_size"] - 1)]
        d_values = discriminator_output(trainer.discriminator, self._points(index),
                                        problem.offset, problem.scale, trainer.objective,
                                        reference)
        return self._cell(index, trainer, samples, d_values, count == JUDGED_SAMPLES)

    def _points(self, index: int) -> np.ndarray:
        """Where D is drawn, then where it is judged."""
        layout = self.layouts[index]
        return np.concatenate((layout.x.astype(np.float64), layout.judged_at))

    @torch.inference_mode()
    def batch_cells(self, group, indices: list[int]) -> dict[int, Cell]:
        """The cells of a batched group's variants (``indices``: their numbers, in the
        group's order), from one pass of its stacked networks: 16 variants' cells cost ~7
        ms this way against ~19 ms one variant after another. None is judged."""
        trainers, count = group.trainers, len(group.trainers)
        first = trainers[0]  # a group shares its target, noise and objective
        problem, s = first.problem, first.settings
        noise = draw_noise(count * CELL_SAMPLES, s["noise"], s["noise_range"], self.rng)
        made, _ = group.ema.forward(noise.reshape(count, CELL_SAMPLES, -1), count)
        samples = (made * problem.scale + problem.offset).reshape(count, -1).numpy()
        points = torch.as_tensor((self._points(indices[0]) - problem.offset) / problem.scale,
                                 dtype=torch.float32).reshape(1, -1, 1)
        raw, _ = group.d.forward(points.expand(count, -1, -1).contiguous(), count)
        d_values = first.objective.d_output(raw).reshape(count, -1).numpy()
        return {index: self._cell(index, trainer, samples[j], d_values[j].astype(np.float64),
                                  False)
                for j, (index, trainer) in enumerate(zip(indices, trainers, strict=True))}

    def _cell(self, index: int, trainer, samples: np.ndarray, d_values: np.ndarray,
              judge: bool) -> Cell:
        layout = self.layouts[index]
        samples = samples.astype(np.float64)
        density, outside = histogram_density(samples, layout.edges.astype(np.float64))
        d_curve, d_judged = d_values[:CELL_CURVE_POINTS], d_values[CELL_CURVE_POINTS:]
        if judge:
            self.figures[index] = self._judge(index, trainer, samples, density, outside,
                                             d_judged)
        # (a variant never judged is judged by cell() in the same frame)
        js, verdict = self.figures.get(index, (math.nan, "not-converged"))
        last = trainer.last or {}
        if _diverged(last):
            verdict = "diverged"
        if not trainer.objective.d_is_probability:  # a critic: drawn on 0..1 as in 2-D
            d_curve = _as_colours(d_curve)
        return Cell(trainer.step_count, last.get("loss_d", math.nan),
                    last.get("loss_g", math.nan), js, verdict, judge,
                    density=density.astype(np.float32), d_curve=d_curve.astype(np.float32))

    def _judge(self, index: int, trainer, samples, density, outside, d_judged):
        """JS and the verdict, as the main view judges them (fewer samples, fewer bins)."""
        layout, s = self.layouts[index], trainer.settings
        target, objective = trainer.problem.target, trainer.objective
        edges = layout.edges.astype(np.float64)
        cdf = target.cdf(edges)
        real_mass = np.append(np.diff(cdf), cdf[0] + (1.0 - cdf[-1]))
        js = js_divergence_bits(real_mass, np.append(density * np.diff(edges),
                                                     outside / len(samples)))
        last = trainer.last or {}
        equilibrium = objective.equilibrium(s["label_smoothing"])
        if equilibrium.d_output is not None:
            d_max_dev = float(np.max(np.abs(d_judged - equilibrium.d_output)))
        elif objective.name == "hinge":
            d_max_dev = float(np.max(np.maximum(np.abs(d_judged) - 1.0, 0.0)))
        else:  # WGAN-GP: the Wasserstein estimate of its last batch goes to 0
            d_max_dev = abs(last.get("d_real", math.nan) - last.get("d_fake", math.nan))
        centres = 0.5 * (edges[:-1] + edges[1:])
        p_g = np.interp(layout.judged_at, centres, _smoothed(density, bins=2.0), left=0.0,
                        right=0.0)
        d_star = optimal_discriminator(target.pdf(layout.judged_at), p_g, objective,
                                       s["label_smoothing"])
        gaps = np.abs(d_judged - d_star)
        d_star_gap = float(np.nanmax(gaps)) if np.isfinite(gaps).any() else math.nan
        note = ""
        if isinstance(target, Mixture1D):
            shares = mode_shares(target, samples)
            note = f" {sum(share >= 0.05 for share in shares)} of {len(shares)} modes."
        verdict, _ = self.verdicts[index].update(
            js, d_max_dev, d_star_gap, Words(objective.d_name, equilibrium.d_output, None,
                                             note))
        return js, verdict


class CellMaker2D:
    """The cells of 2-D variants."""

    def __init__(self, trainers) -> None:
        self.layouts = [Layout2D(tuple(t.problem.bounds), t.problem.real_points[:1000],
                                 _mode_count(t.problem.dataset)) for t in trainers]
        self.rng = torch.Generator().manual_seed(0)
        self.shown = {}  # noise_dim -> fixed noise for the drawn points (they move smoothly)
        self.figures: dict[int, tuple[float, str]] = {}  # each variant's last JS and figures
        self.grids = [_cell_centres(t.problem.bounds) for t in trainers]

    @torch.inference_mode()
    def cell(self, index: int, trainer, judge: bool = True) -> Cell:
        """Variant ``index``'s cell; ``judge``: measure its figures afresh."""
        problem, s = trainer.problem, trainer.settings
        dim = trainer.generator_ema[0].in_features
        key = (dim, s["noise"], s["noise_range"])
        if key not in self.shown:
            self.shown[key] = draw_noise(CELL_POINTS_2D, s["noise"], s["noise_range"],
                                         torch.Generator().manual_seed(1), dim)
        offset = torch.as_tensor(problem.offset, dtype=torch.float32)
        noise = self.shown[key]
        judge = judge or index not in self.figures
        if judge:
            noise = torch.cat((noise, draw_noise(CELL_MEASURED_2D, s["noise"],
                                                 s["noise_range"], self.rng, dim)))
        made = (trainer.generator_ema(noise) * problem.scale + offset).numpy()
        raw = trainer.discriminator((self.grids[index] - offset) / problem.scale)
        surface = trainer.objective.d_output(raw).reshape(CELL_SURFACE, CELL_SURFACE).numpy()
        if not trainer.objective.d_is_probability:  # a critic: centred and scaled
            surface = _as_colours(surface)
        if judge:
            self.figures[index] = self._judge(problem, made[CELL_POINTS_2D:])
        js, text = self.figures[index]
        last = trainer.last or {}
        if _diverged(last):
            text = "diverged"
        return Cell(trainer.step_count, last.get("loss_d", math.nan),
                    last.get("loss_g", math.nan), js, text, judge,
                    points=made[:CELL_POINTS_2D].astype(np.float32),
                    surface=surface.astype(np.float32))

    @staticmethod
    def _judge(problem, samples: np.ndarray) -> tuple[float, str]:
        dataset = problem.dataset
        measured = measure(samples.astype(np.float32), problem.real_points, problem.bounds,
                           dataset.modes, dataset.mode_sigma)
        modes = _mode_count(dataset)
        text = f"JS {measured['js_bits']:.3f} bits"
        if modes:
            text = (f"{measured.get('modes_covered', 0)}/{modes} modes · "
                    f"{measured.get('high_quality', math.nan):.0%} within 3σ")
        return float(measured["js_bits"]), text


def _as_colours(values: np.ndarray) -> np.ndarray:
    """A critic's values (no fixed range) centred on their median and scaled into 0..1,
    as the 2-D view colours them."""
    centred = values - np.nanmedian(values) if np.isfinite(values).any() else values
    spread = float(np.nanmax(np.abs(centred))) if np.isfinite(centred).any() else 0.0
    return 0.5 + 0.5 * centred / (spread or 1.0)


def _diverged(last: dict) -> bool:
    """A loss went NaN or infinite in the variant's last iteration."""
    return not all(math.isfinite(last.get(name, 0.0)) for name in ("loss_d", "loss_g"))


def _mode_count(dataset) -> int:
    return 0 if dataset.modes is None else len(dataset.modes)


def _cell_centres(bounds) -> torch.Tensor:
    """The centres of a CELL_SURFACE-square grid over ``bounds``, (S * S, 2)."""
    x0, x1, y0, y1 = bounds
    r = CELL_SURFACE
    gx, gy = np.meshgrid(np.linspace(x0, x1, 2 * r + 1)[1::2],
                         np.linspace(y0, y1, 2 * r + 1)[1::2], indexing="ij")
    return torch.as_tensor(np.stack((gx.ravel(), gy.ravel()), 1), dtype=torch.float32)


DIGITS_SIDE = 4  # an MNIST cell: 4 x 4 digits
CLASSIFIED_IN_CELL = 256  # digits classified for an MNIST cell's confident share


class CellMakerImages:
    """The cells of image variants: their images on fixed noise, and (in turn, digits
    only) the share of fresh digits the shipped classifier is sure of."""

    def __init__(self, trainers) -> None:
        self.layouts = [LayoutImages(DIGITS_SIDE) for _ in trainers]
        self.rng = torch.Generator().manual_seed(0)
        self.fixed = [t.problem.noise(DIGITS_SIDE ** 2, torch.Generator().manual_seed(1))
                      for t in trainers]
        self.figures: dict[int, tuple[float, str]] = {}

    @torch.inference_mode()
    def cell(self, index: int, trainer, judge: bool = True) -> Cell:
        from ganviz.core.mnist.problem import tile

        problem = trainer.problem
        generator = trainer.generator_ema  # in eval mode: batch norm's running statistics
        digits = tile(problem.to_unit(generator(self.fixed[index])), DIGITS_SIDE)
        judge = judge or index not in self.figures
        if judge and not problem.classified:  # no classifier knows these images
            self.figures[index] = (math.nan, f"{problem.size}x{problem.size} images")
        elif judge:
            stats, _ = problem.class_stats(trainer, CLASSIFIED_IN_CELL)
            self.figures[index] = (stats.confident, f"{stats.confident:.0%} confident · "
                                                   f"coverage {stats.coverage:.2f}")
        confident, text = self.figures[index]
        last = trainer.last or {}
        return Cell(trainer.step_count, last.get("loss_d", math.nan),
                    last.get("loss_g", math.nan), math.nan, text, judge, digits=digits,
                    confident=confident)


def cell_maker(mode: str, trainers):
    return {"1d": CellMaker1D, "2d": CellMaker2D, "mnist": CellMakerImages}[mode](trainers)
