"""The timeline on the curves over iterations: a line at the moment the views show, and the
other branches' curves drawn faded behind the current one's.

Every plot item is made once, on first need, and updated after (a pool of faded curves
that grows to the most branches shown and hides what it does not use).
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ganviz.app import style

FADED_ALPHA = 70  # of 255: the other branches, visible behind the current one
MOMENT_COLOUR = (31, 119, 180)  # the timeline's handle colour


class PastMarks:
    """The marks of one plot over iterations; ``curves`` are its curves' names in the
    trainer's history ("loss_d", ...) with their colours. Plots without a trainer history
    of their own (the JS plot) pass none and get only the moment's line."""

    def __init__(self, plot: pg.PlotItem, curves: tuple[tuple[str, tuple], ...] = ()) -> None:
        self.plot, self.curves = plot, curves
        self.moment = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(
            MOMENT_COLOUR, width=1, style=Qt.PenStyle.DashLine), label="viewing",
            labelOpts={"position": 0.92, "color": MOMENT_COLOUR, "anchors": [(0, 0), (0, 0)]})
        self.moment.setVisible(False)
        self.moment.setZValue(5)
        plot.addItem(self.moment, ignoreBounds=True)
        self._faded: list[pg.PlotDataItem] = []
        self._faded_source: object = None

    def show_moment(self, step: int | None) -> None:
        self.moment.setVisible(step is not None)
        if step is not None:
            self.moment.setValue(step)

    def show_faded(self, faded: tuple) -> None:
        """``faded``: (branch name, curves by name) of each other branch."""
        if faded is self._faded_source or not self.curves:
            return
        self._faded_source = faded
        index = 0
        for _name, history in faded:
            if history is None or not len(history.get("step", ())):
                continue
            for curve, colour in self.curves:
                if curve not in history:
                    continue
                item = self._item(index, colour)
                item.setData(history["step"], history[curve], connect="finite")
                item.setVisible(True)
                index += 1
        for item in self._faded[index:]:
            item.setData([], [])
            item.setVisible(False)
        # The x axis reaches the longest branch's end (the current one may be shorter).
        ends = [float(h["step"][-1]) for _, h in faded if h is not None and len(h["step"])]
        self.plot.x_floor = max(ends, default=0.0)

    def _item(self, index: int, colour: tuple) -> pg.PlotDataItem:
        while len(self._faded) <= index:
            item = pg.PlotDataItem()
            item.setZValue(-5)  # behind the current branch's curves
            self.plot.addItem(item)
            self._faded.append(item)
        item = self._faded[index]
        faded = QColor(*colour[:3])
        faded.setAlpha(FADED_ALPHA)
        item.setPen(style.history_pen(faded))
        return item

    def clear(self) -> None:
        self.show_moment(None)
        self.show_faded(())


def show_past(marks: tuple[PastMarks, ...], timeline, faded: tuple) -> None:
    """The timeline's moment and the other branches on every plot of a view."""
    for mark in marks:
        mark.show_moment(timeline.viewing)
        mark.show_faded(faded)


def marks_for(losses, d_outputs, *others) -> tuple[PastMarks, ...]:
    """The marks of a view's losses, D outputs and other plots over iterations."""
    return (PastMarks(losses, (("loss_d", style.LOSS_D), ("loss_g", style.LOSS_G))),
            PastMarks(d_outputs, (("d_real", style.REAL), ("d_fake", style.GENERATOR))),
            *(PastMarks(plot) for plot in others))


class TimelineMarks:
    """For a view with ``losses`` and ``d_outputs`` plots and their ``past`` marks (see
    marks_for): the View protocol's show_timeline, and the curves' part of its clear()."""

    def show_timeline(self, timeline, faded: tuple) -> None:
        show_past(self.past, timeline, faded)

    def clear_curves(self) -> None:
        """A new run: the curves are drawn whatever they hold; no moment, no branches."""
        for plot in (self.losses, self.d_outputs):
            plot.forget_drawn()
        for marks in self.past:
            marks.clear()
