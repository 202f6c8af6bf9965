"""The 1-D densities plot: real pdf, generator density and D(x) on one x axis."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ganviz.app import style


class DensitiesPlot(pg.PlotItem):
    """Densities on the left axis, D(x) on its own 0..1 axis on the right."""

    def __init__(self) -> None:
        super().__init__(title="Densities and discriminator")
        style.fixed_plot(self, "x", "density")
        legend = self.addLegend(offset=(10, 10), labelTextSize="9pt")

        self.real_curve = self.plot(pen=style.pen(style.REAL, 2.5), fillLevel=0,
                                    brush=(*style.REAL, 50), name="real data (exact pdf)")
        self.generator_curve = self.plot(
            stepMode="center", pen=style.pen(style.GENERATOR, 2.0), fillLevel=0,
            brush=(*style.GENERATOR, 60), name="generator, EMA (histogram of 20,000 samples)")
        self.raw_generator_curve = self.plot(
            stepMode="center", pen=style.pen(style.GENERATOR, 1.0, Qt.PenStyle.DotLine, 200),
            name="generator as trained, no EMA (histogram)")

        # D(x) lives in a second view box sharing the x axis, scaled 0..1 on the right.
        self.d_box = pg.ViewBox(enableMouse=False)
        self.showAxis("right")
        self.getAxis("right").linkToView(self.d_box)
        self.getAxis("right").setLabel("D(x)", color=f"rgb{style.DISCRIMINATOR}")
        self.d_box.setXLink(self.vb)
        self.d_box.setYRange(0.0, 1.0, padding=0.0)
        self.d_curve = pg.PlotCurveItem(pen=style.pen(style.DISCRIMINATOR, 2.5))
        self.d_box.addItem(self.d_curve)
        self.d_box.addItem(style.reference_line(0.5, "D = 0.5", style.DISCRIMINATOR))
        legend.addItem(self.d_curve, "D(x), right axis")
        self.vb.sigResized.connect(self._align_d_box)

        self.summary = pg.TextItem(anchor=(1, 0), color=(40, 40, 40))
        self.summary.setParentItem(self.vb)
        self._x_range: tuple[float, float] | None = None
        self._y_top = 0.0

    def attach(self) -> None:
        """Call once the plot is in a scene: the D view box must join the same scene."""
        self.scene().addItem(self.d_box)
        self._align_d_box()

    def _align_d_box(self) -> None:
        self.d_box.setGeometry(self.vb.sceneBoundingRect())
        self.d_box.linkedViewChanged(self.vb, self.d_box.XAxis)
        self.summary.setPos(self.vb.width() - 8, 4)

    def show_evaluation(self, evaluation) -> None:
        self.real_curve.setData(evaluation.x, evaluation.real_pdf)
        self.generator_curve.setData(evaluation.edges, evaluation.gen_density)
        self.raw_generator_curve.setData(evaluation.edges, evaluation.raw_gen_density)
        self.d_curve.setData(evaluation.x, evaluation.d_curve)

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
        self.summary.setText(
            f"step {evaluation.step:,}   JS {evaluation.js_bits:.4f} bits   "
            f"G mean {evaluation.gen_mean:.3f}   G std {evaluation.gen_std:.3f}   "
            f"max|D-0.5| (mean±2σ) {evaluation.d_max_dev:.3f}"
        )

    def clear_view(self) -> None:
        self._x_range = None
        self._y_top = 0.0


class Toy1DView(pg.GraphicsLayoutWidget):
    """The 1-D mode: densities and D(x) above, the curves over iterations below."""

    def __init__(self) -> None:
        from ganviz.app.history_view import DiscriminatorOutputPlot, LossesPlot

        super().__init__()
        self.densities = DensitiesPlot()
        self.losses = LossesPlot()
        self.d_outputs = DiscriminatorOutputPlot()
        self.addItem(self.densities, row=0, col=0, colspan=2)
        self.addItem(self.losses, row=1, col=0)
        self.addItem(self.d_outputs, row=1, col=1)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        self.densities.attach()

    def show_frame(self, snapshot) -> None:
        history = snapshot.history
        if len(history["step"]):
            self.losses.show_history(history)
            self.d_outputs.show_history(history)
        else:
            for curve in (self.losses.loss_d, self.losses.loss_g, self.d_outputs.d_real,
                          self.d_outputs.d_fake):
                curve.setData([], [])
