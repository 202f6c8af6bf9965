"""Slow motion on the plots: the narrated iteration's batches, D before and after its
update, G's push on its fakes and where they moved (app/slow_motion.py narrates them).

Which marks each part of the iteration shows (the keys of core/narration.py's PARTS):
the real batch from "real" to "loss_d"; D's fakes from "fakes" to "loss_d"; D(x) before
and after from "update_d" (1-D); G's fresh fakes from "rescore"; the arrows of G's push
from "loss_g"; the moved fakes at "update_g" and "average". Items are made once and
updated; :meth:`clear` hides them all.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ganviz.app import style
from ganviz.app.views.arrows import arrow_segments

SHOWS = {
    "real": {"real"},
    "noise": {"real"},
    "fakes": {"real", "d_fakes"},
    "scores": {"real", "d_fakes"},
    "loss_d": {"real", "d_fakes"},
    "update_d": {"real", "d_fakes", "d_curves"},
    "rescore": {"g_fakes", "d_curves"},
    "loss_g": {"g_fakes", "push"},
    "update_g": {"g_fakes", "push", "moved"},
    "average": {"moved"},
    "diverged": set(),
}
ARROW_SHARE = 0.1  # the longest push arrow, as a share of the plot's width
MARK = (120, 30, 160)  # the narrated iteration's colour for what G does (arrows)


def _shown(key: str) -> set[str]:
    return SHOWS.get(key, set())


def _scaled_push(push: np.ndarray, span: float) -> np.ndarray:
    """The arrows: the longest ARROW_SHARE of ``span``, the others in proportion."""
    longest = float(np.max(np.linalg.norm(push.reshape(len(push), -1), axis=1), initial=0.0))
    return push * (ARROW_SHARE * span / longest) if longest > 0 else push * 0.0


class NarrationMarks1D:
    """On the densities plot: the batches as ticks under the curves (real below, fakes
    above), D(x) before (dashed) and after, arrows along x from each of G's fakes."""

    def __init__(self, plot) -> None:
        self.plot = plot
        tick = dict(symbol="|", size=16, pxMode=True)
        self.real = pg.ScatterPlotItem(pen=pg.mkPen(style.REAL, width=2), **tick)
        self.fakes = pg.ScatterPlotItem(pen=pg.mkPen(style.GENERATOR, width=2), **tick)
        self.moved = pg.ScatterPlotItem(symbol="o", size=7, pen=pg.mkPen("w", width=0.6),
                                        brush=pg.mkBrush(*style.GENERATOR))
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen(MARK, width=1.6), connect="pairs")
        for item in (self.real, self.fakes, self.arrows, self.moved):
            item.setZValue(20)
            plot.addItem(item)
        self.d_before = pg.PlotCurveItem(pen=pg.mkPen(style.DISCRIMINATOR, width=2,
                                                      style=Qt.PenStyle.DashLine))
        self.d_after = pg.PlotCurveItem(pen=pg.mkPen((0, 100, 0), width=3))
        for item in (self.d_before, self.d_after):
            item.setZValue(20)
            plot.d_box.addItem(item)
        self.clear()

    def show(self, narrated, key: str) -> None:
        shown = _shown(key)
        top = self.plot.vb.viewRange()[1][1]
        # The real ticks lowest, the fakes above them, where G's step moved them higher.
        low, high, moved = 0.04 * top, 0.12 * top, 0.2 * top
        fakes = narrated.d_fake_batch if "d_fakes" in shown else narrated.g_fake
        self._points(self.real, narrated.real, low, "real" in shown)
        self._points(self.fakes, fakes, high, bool({"d_fakes", "g_fakes"} & shown))
        self._points(self.moved, narrated.moved, moved, "moved" in shown)
        if "push" in shown:
            span = float(np.ptp(self.plot.vb.viewRange()[0]))
            push = _scaled_push(narrated.push, span)
            starts = np.stack((narrated.g_fake, np.full(len(push), high)), 1)
            vectors = np.stack((push, np.zeros(len(push))), 1)
            self.arrows.setData(*arrow_segments(starts, vectors, span).T)
        self.arrows.setVisible("push" in shown)
        curves = "d_curves" in shown and narrated.d_before is not None
        if curves:
            self.d_before.setData(narrated.grid, narrated.d_before)
            self.d_after.setData(narrated.grid, narrated.d_after)
        self.d_before.setVisible(curves)
        self.d_after.setVisible(curves)

    @staticmethod
    def _points(item, x: np.ndarray, y: float, visible: bool) -> None:
        if visible:
            item.setData(x, np.full(len(x), y))
        item.setVisible(visible)

    def clear(self) -> None:
        for item in (self.real, self.fakes, self.moved, self.arrows, self.d_before,
                     self.d_after):
            item.setVisible(False)


class NarrationMarks2D:
    """On the plane: the batches as rings (real blue, fakes orange), arrows from G's
    fakes, and the fakes where G's update moved them (filled)."""

    def __init__(self, plot) -> None:
        self.plot = plot
        # Larger and bolder than the plane's own points, which stay drawn beneath.
        ring = dict(symbol="o", size=13, brush=None)
        self.real = pg.ScatterPlotItem(pen=pg.mkPen(style.REAL, width=2.5), **ring)
        self.fakes = pg.ScatterPlotItem(pen=pg.mkPen((230, 90, 0), width=2.5), **ring)
        self.moved = pg.ScatterPlotItem(symbol="o", size=8, pen=pg.mkPen("k", width=0.8),
                                        brush=pg.mkBrush(*style.GENERATOR))
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen(MARK, width=2.4), connect="pairs")
        for item in (self.real, self.fakes, self.arrows, self.moved):
            item.setZValue(30)
            plot.addItem(item)
        self.clear()

    def show(self, narrated, key: str) -> None:
        shown = _shown(key)
        fakes = narrated.d_fake_batch if "d_fakes" in shown else narrated.g_fake
        for item, points, visible in (
                (self.real, narrated.real, "real" in shown),
                (self.fakes, fakes, bool({"d_fakes", "g_fakes"} & shown)),
                (self.moved, narrated.moved, "moved" in shown)):
            if visible:
                item.setData(points[:, 0], points[:, 1])
            item.setVisible(visible)
        if "push" in shown:
            span = float(np.ptp(self.plot.vb.viewRange()[0]))
            vectors = _scaled_push(narrated.push, span)
            self.arrows.setData(*arrow_segments(narrated.g_fake, vectors, span).T)
        self.arrows.setVisible("push" in shown)

    def clear(self) -> None:
        for item in (self.real, self.fakes, self.moved, self.arrows):
            item.setVisible(False)


class NarratedView:
    """The views' side of slow motion: ``show_narration`` / ``clear_narration``. A view
    names its marks' class and the plot they go on (MNIST shows its digits in the slow
    motion panel instead: it has none)."""

    narration_marks: type | None = None

    def narration_plot(self):
        raise NotImplementedError

    def show_narration(self, narrated, key: str) -> None:
        if self.narration_marks is None:
            return
        marks = self.__dict__.get("_narration")
        if marks is None:
            marks = self._narration = self.narration_marks(self.narration_plot())
        marks.show(narrated, key)

    def clear_narration(self) -> None:
        marks = self.__dict__.get("_narration")
        if marks is not None:
            marks.clear()
