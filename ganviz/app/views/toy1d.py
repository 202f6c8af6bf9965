"""The 1-D densities plot: real pdf, generator density and D(x) on one x axis."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ganviz.app import style
from ganviz.app.views.curves import (
    ConvergencePlot,
    DiscriminatorOutputPlot,
    LossesPlot,
    reference_line,
    show_training_curves,
)
from ganviz.app.views.narration_marks import NarratedView, NarrationMarks1D
from ganviz.app.views.past_marks import TimelineMarks, marks_for
from ganviz.app.views.scale import ScaledPlot, level_legends
from ganviz.core import config, theory

# One band per component of the largest mixture. (Each band of the highest-density region
# holds a mode; equal-std mixtures have at most one per component, and in case another has
# more, the last band spans the rest.)
MAX_REGIONS = config.lookup("mixture_means").lengths[1]
# D* of the generator drawn as the fill, which the verdict judges (see core/toy1d/verdict).
D_STAR_TEXT = "D* = p_data / (p_data + p_g), for the averaged G"


TITLE = "Densities and discriminator"


class DensitiesPlot(ScaledPlot):
    """Densities on the left axis, D(x) on its own 0..1 axis on the right."""

    def __init__(self) -> None:
        super().__init__(title=TITLE)
        style.fixed_plot(self, "x", "density")
        # Under the x axis: inside, its five entries covered D* and the tails.
        legend = self.legend_below(columns=3)
        self.setToolTip(
            "Generator densities: histograms of 20,000 samples. The averaged (EMA) "
            "generator is the one judged (JS, D*, the verdict); the one as trained, which D "
            "plays against, is dotted. D* = p_data / (p_data + p_g) is the optimal D for "
            "the averaged generator; the shaded bands are where D is judged (the data's "
            "95% of highest density).")

        self.real_curve = self.plot(pen=style.pen(style.REAL, 2.5), fillLevel=0,
                                    brush=(*style.REAL, 50), name="real data (exact pdf)")
        self.generator_curve = self.plot(
            stepMode="center", pen=style.pen(style.GENERATOR, 2.0), fillLevel=0,
            brush=(*style.GENERATOR, 60),
            name="generator, averaged (EMA)")
        self.raw_generator_curve = self.plot(
            stepMode="center", pen=style.pen(style.GENERATOR, 1.0, Qt.PenStyle.DotLine, 200),
            name="generator as trained (no EMA)")

        # D(x) lives in a second view box sharing the x axis, scaled 0..1 on the right.
        self.d_box = style.RightAxisBox(self, "D(x)", style.DISCRIMINATOR)
        self.side_boxes.append(self.d_box)
        self.d_box.setYRange(0.0, 1.0, padding=0.0)
        self.d_curve = pg.PlotCurveItem(pen=style.pen(style.DISCRIMINATOR, 2.5), connect="finite")
        self.d_star_curve = pg.PlotCurveItem(
            pen=style.pen(style.OPTIMAL, 2.0, Qt.PenStyle.DashLine), connect="finite")
        self.d_box.addItem(self.d_star_curve)
        self.d_box.addItem(self.d_curve)
        self.d_line = reference_line(0.5, "D = 0.5", style.DISCRIMINATOR)
        self.d_box.addItem(self.d_line)
        # Where the real data lie (their 95% of highest density), where D is judged: one
        # band per mode of a mixture (it has at most MAX_REGIONS), unused bands hidden.
        self.judged_regions = []
        for _ in range(MAX_REGIONS):
            region = pg.LinearRegionItem(
                orientation="vertical", movable=False, brush=(0, 0, 0, 12),
                pen=pg.mkPen((0, 0, 0, 40), width=1, style=Qt.PenStyle.DotLine))
            region.setZValue(-10)
            region.setVisible(False)
            self.addItem(region)
            self.judged_regions.append(region)
        self.legend = legend
        legend.addItem(self.d_curve, "D(x), right axis")
        legend.addItem(self.d_star_curve, D_STAR_TEXT)
        self.vb.sigResized.connect(self.fit_legend)
        self._objective: tuple | None = None
        self._d_range = (0.0, 1.0)
        self._probability = True
        self._x_range: tuple[float, float] | None = None
        self._y_top = 0.0

    def attach(self) -> None:
        """Call once the plot is in a scene: the D view box must join the same scene."""
        self.d_box.attach()

    def show_evaluation(self, evaluation) -> None:
        self.real_curve.setData(evaluation.x, evaluation.real_pdf)
        self.generator_curve.setData(evaluation.edges, evaluation.gen_density)
        self.raw_generator_curve.setData(evaluation.edges, evaluation.raw_gen_density)
        # A diverged D is all NaN, which pyqtgraph cannot draw with connect="finite".
        for curve, values in ((self.d_curve, evaluation.d_curve),
                              (self.d_star_curve, evaluation.d_star)):
            values = np.asarray(values, dtype=np.float64)
            if np.isfinite(values).any():
                curve.setData(evaluation.x, values)
            else:
                curve.setData([], [])
        bands = list(evaluation.judged)
        if len(bands) > MAX_REGIONS:
            bands[MAX_REGIONS - 1:] = [(bands[MAX_REGIONS - 1][0], bands[-1][1])]
        for index, region in enumerate(self.judged_regions):
            if index < len(bands):
                region.setRegion(bands[index])
            region.setVisible(index < len(bands))
        if not self._probability:
            self._fit_critic(evaluation.d_curve)

        x_range = (float(evaluation.x[0]), float(evaluation.x[-1]))
        if x_range != self._x_range:  # the core rounds the range, so this is rare
            self._x_range = x_range
            self.setXRange(*x_range, padding=0.0)
        # The density axis fits the real pdf with room above, and grows (up to 4x the
        # real peak) when the generator is narrower: it never jumps around every frame.
        real_peak = float(evaluation.real_pdf.max())
        generator_peak = float(np.nan_to_num(evaluation.gen_density).max(initial=0.0))
        wanted = min(max(1.3 * real_peak, 1.1 * generator_peak), 4.0 * real_peak)
        if wanted > self._y_top or wanted < 0.5 * self._y_top:
            self._y_top = wanted
            self.setYRange(0.0, wanted, padding=0.0)
        # The numbers in the title: inside the plot they covered D where it is near 1.
        self.setTitle(f"{TITLE}: step {evaluation.step:,}, JS {evaluation.js_bits:.4f} bits, "
                      f"averaged G mean {evaluation.gen_mean:.3f}, std {evaluation.gen_std:.3f}")

    def show_target(self, x: np.ndarray, pdf: np.ndarray) -> None:
        """The real density alone, while the training process is still loading torch."""
        self.real_curve.setData(x, pdf)
        self._x_range = (float(x[0]), float(x[-1]))
        self.setXRange(*self._x_range, padding=0.0)
        self._y_top = 1.3 * float(pdf.max())
        self.setYRange(0.0, self._y_top, padding=0.0)
        self.setTitle(f"{TITLE}: the real density; the generator and D appear with the "
                      "first frame")

    def set_objective(self, name: str, smoothing: float, minibatch: bool,
                      batch_size: int) -> None:
        """Axis, legend and equilibrium line of the objective and D being trained."""
        key = (name, smoothing, minibatch, batch_size)
        if key == self._objective:
            return
        self._objective = key
        objective = theory.info(name)
        equilibrium = objective.equilibrium(smoothing)
        d = "D(x)" if objective.d_name == "D" else "critic C(x)"
        self.getAxis("right").setLabel(d, color=f"rgb{style.DISCRIMINATOR}")
        text = f"{d}, right axis"
        if minibatch:
            text += f", each x scored in a batch of {batch_size - 1} G samples"
        self.legend.getLabel(self.d_curve).setText(text)
        self.d_line.setVisible(equilibrium.d_output is not None)
        if equilibrium.d_output is not None:
            self.d_line.setValue(equilibrium.d_output)
            note = " (one-sided label smoothing)" if smoothing and objective.uses_smoothing() \
                else ""
            self.d_line.label.setFormat(f"D = {equilibrium.d_output:g}{note}")
        has_d_star = name in ("minimax", "nonsaturating", "lsgan")
        self.d_star_curve.setVisible(has_d_star)
        star = D_STAR_TEXT
        if smoothing and objective.uses_smoothing():
            star = D_STAR_TEXT.replace("p_data /", f"{1 - smoothing:g} p_data /")
        self.legend.getLabel(self.d_star_curve).setText(
            star if has_d_star else f"D*: no closed form for {name}")
        self.fit_legend()  # the entries' widths changed
        self._probability = objective.d_is_probability
        if self._probability:
            self._d_range = (0.0, 1.0)
            self.d_box.setYRange(0.0, 1.0, padding=0.0)

    def _fit_critic(self, values: np.ndarray) -> None:
        new_range = style.sticky_range(values, self._d_range, min_span=0.5)
        if new_range is not None:
            self._d_range = new_range
            self.d_box.setYRange(*new_range, padding=0.0)

    def clear_view(self) -> None:
        self._x_range = None
        self._y_top = 0.0


class Toy1DView(TimelineMarks, NarratedView, pg.GraphicsLayoutWidget):
    """The 1-D mode: densities, D and D* above; the curves over iterations below."""

    def __init__(self) -> None:
        super().__init__()
        # GraphicsLayoutWidget copies its layout's clear() (remove every plot) onto each
        # instance; this view's clear() is the View protocol's, which keeps the plots.
        del self.clear
        self.densities = DensitiesPlot()
        self.losses = LossesPlot()
        self.d_outputs = DiscriminatorOutputPlot()
        self.convergence = ConvergencePlot()
        self.addItem(self.densities, row=0, col=0, colspan=3)
        self.addItem(self.losses, row=1, col=0)
        self.addItem(self.d_outputs, row=1, col=1)
        self.addItem(self.convergence, row=1, col=2)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.densities.attach()
        self.convergence.attach()
        self.plots = (self.densities, self.losses, self.d_outputs, self.convergence)
        level_legends(self.plots[1:])
        self.past = marks_for(self.losses, self.d_outputs, self.convergence)

    narration_marks = NarrationMarks1D

    def narration_plot(self):
        return self.densities

    def set_scale(self, scale: float) -> None:
        """Text and lines of every plot at ``scale`` (presentation mode)."""
        for plot in self.plots:
            plot.set_scale(scale)

    def preview_target(self, settings: dict) -> None:
        """The real density of ``settings`` alone, before the first frame: it needs no torch."""
        from ganviz.core.metrics import rounded_range
        from ganviz.core.toy1d.data import make_target

        target = make_target(settings)
        low, high = rounded_range(*target.support(5.0))
        x = np.linspace(low, high, 401)
        self.densities.show_target(x, target.pdf(x))

    def receive(self, snapshot) -> None:
        pass  # a 1-D frame carries nothing that is sent only once

    def clear(self) -> None:
        self.densities.clear_view()
        self.clear_curves()

    def show_evaluation(self, evaluation, history: dict) -> None:
        self.densities.show_evaluation(evaluation)
        self.convergence.show_history(history, evaluation)

    def show_frame(self, snapshot, running: bool = True) -> None:
        s = snapshot.settings
        self.densities.set_objective(s["loss"], s["label_smoothing"],
                                     snapshot.view.spec["minibatch"], s["batch_size"])
        self.convergence.set_objective(s["loss"])
        show_training_curves(self.losses, self.d_outputs, snapshot, running)
