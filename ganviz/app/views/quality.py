"""The MNIST view's quality over time: the confident share, class coverage, precision and
recall on 0..1, and the Fréchet distance to real digits on a log axis of its own at the
right. One point per classification (the trainer classifies 500 fresh digits every few
seconds, core/mnist/quality.py), kept in the view for the run it shows."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from ganviz.app import style
from ganviz.app.views.scale import ScaledPlot

MAX_POINTS = 2000  # classifications kept: ~1.5 hours at one every 3 s
SHARES = (  # (field, name, colour)
    ("confident", "confident (p ≥ 0.9)", (31, 119, 180)),
    ("coverage", "class coverage", (44, 160, 44)),
    ("precision", "precision", (148, 103, 189)),
    ("recall", "recall", (255, 127, 14)),
)
FD_COLOUR = (214, 39, 40)


def right_axis_box(plot: pg.PlotItem, label: str, colour, log: bool = False) -> pg.ViewBox:
    """A second view box over ``plot``'s, x linked, with its own y axis on the right (a
    measure of another scale drawn over the same iterations)."""
    box = pg.ViewBox()
    box.setMouseEnabled(False, False)
    axis = plot.getAxis("right")
    plot.showAxis("right")
    axis.linkToView(box)
    axis.setLabel(label, color=pg.mkColor(colour))
    axis.setLogMode(log)
    box.setXLink(plot)

    def follow() -> None:
        if box.scene() is None and plot.vb.scene() is not None:
            plot.vb.scene().addItem(box)
        box.setGeometry(plot.vb.sceneBoundingRect())

    plot.vb.sigResized.connect(follow)
    return box


class QualityPlot(ScaledPlot):
    def __init__(self) -> None:
        super().__init__(title="Quality of the averaged generator's digits")
        style.fixed_plot(self, "iteration", "share")
        self.setYRange(0.0, 1.02, padding=0)
        self.legend_below(columns=3)
        self.vb.sigResized.connect(self.fit_legend)
        self.curves = {name: self.plot(pen=pg.mkPen(colour, width=2), name=label)
                       for name, label, colour in SHARES}
        # FD on the right, log scale: from ~1,000 (noise) down to ~10 (good digits).
        self.fd_box = right_axis_box(self, "Fréchet distance", FD_COLOUR, log=True)
        self.fd_curve = pg.PlotDataItem(pen=pg.mkPen(FD_COLOUR, width=2,
                                                     style=pg.QtCore.Qt.PenStyle.DashLine))
        self.fd_box.addItem(self.fd_curve)
        self.fd_box.setYRange(0.5, 3.5, padding=0)  # log10: 3 to 3,000
        self.legend.addItem(self.fd_curve, "Fréchet distance (right)")
        self.points: dict[str, list] = {name: [] for name in ("step", "fd", *self.curves)}

    def add(self, step: int, values: dict) -> None:
        """One classification's figures (``values`` by field), drawn at once."""
        if self.points["step"] and step <= self.points["step"][-1]:
            return  # the same classification, repeated in the frames between
        for name in self.points:
            value = step if name == "step" else values.get(name, math.nan)
            self.points[name].append(float(value))
            del self.points[name][:-MAX_POINTS]
        steps = np.asarray(self.points["step"])
        for name, curve in self.curves.items():
            curve.setData(steps, np.asarray(self.points[name]))
        fd = np.asarray(self.points["fd"])
        with np.errstate(divide="ignore", invalid="ignore"):
            self.fd_curve.setData(steps, np.log10(np.where(fd > 0, fd, np.nan)))
        if len(steps):
            self.setXRange(0, max(100.0, float(steps[-1])), padding=0.02)

    def clear_points(self) -> None:
        for values in self.points.values():
            values.clear()
        for curve in (*self.curves.values(), self.fd_curve):
            curve.setData([], [])
