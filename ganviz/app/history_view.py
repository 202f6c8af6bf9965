"""Curves over iterations: the two losses, and D on the real and the fake batch."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ganviz.app import style
from ganviz.core.metrics import nice_step
from ganviz.core.theory import EQUILIBRIUM


class _HistoryPlot(pg.PlotItem):
    """A plot over iterations whose x range follows the run."""

    def __init__(self, title: str, left: str) -> None:
        super().__init__(title=title)
        style.fixed_plot(self, "iteration", left)
        self.addLegend(offset=(10, -10), labelTextSize="9pt")
        self._x_top = 0.0

    def _follow(self, steps: np.ndarray) -> None:
        # The range grows in round steps (1, 2, 5 x 10^n), not with every iteration: a
        # range that moves every frame makes pyqtgraph lay out the axis ticks anew each
        # time, which was the largest part of a frame's cost.
        last = float(steps[-1]) if len(steps) else 0.0
        top = nice_step(max(100.0, last), 1)  # the smallest 1, 2 or 5 x 10^n above
        if top != self._x_top:
            self._x_top = top
            self.setXRange(0, top, padding=0.02)


class LossesPlot(_HistoryPlot):
    def __init__(self) -> None:
        super().__init__("Losses", "loss")
        self.loss_d = self.plot(pen=style.pen(style.LOSS_D), name="D loss (summed BCE)")
        self.loss_g = self.plot(pen=style.pen(style.LOSS_G), name="G loss (non-saturating)")
        self.addItem(style.reference_line(EQUILIBRIUM["loss_d"], "2 ln 2", style.LOSS_D))
        self.addItem(style.reference_line(EQUILIBRIUM["loss_g"], "ln 2", style.LOSS_G))
        self._y_top = 0.0

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        self.loss_d.setData(history["step"], history["loss_d"])
        self.loss_g.setData(history["step"], history["loss_g"])
        self._follow(history["step"])
        # The y range covers the curves' recent values and both reference lines; it
        # only changes when the data leave it or use less than half of it.
        recent = np.concatenate((history["loss_d"][-200:], history["loss_g"][-200:]))
        recent = recent[np.isfinite(recent)]
        top = max(2.0, float(recent.max()) * 1.15) if len(recent) else 2.0
        if top > self._y_top or top < 0.5 * self._y_top:
            self._y_top = top
            self.setYRange(0.0, top, padding=0.0)


class DiscriminatorOutputPlot(_HistoryPlot):
    def __init__(self) -> None:
        super().__init__("Mean D output on each batch", "mean D")
        self.d_real = self.plot(pen=style.pen(style.REAL), name="D(real)")
        self.d_fake = self.plot(pen=style.pen(style.GENERATOR), name="D(fake) = D(G(z))")
        self.addItem(style.reference_line(0.5, "0.5"))
        self.setYRange(0.0, 1.0, padding=0.02)

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        self.d_real.setData(history["step"], history["d_real"])
        self.d_fake.setData(history["step"], history["d_fake"])
        self._follow(history["step"])
