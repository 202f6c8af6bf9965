"""Colours and pens shared by the views, chosen to stay distinct on a projector."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

REAL = (31, 119, 180)  # blue
GENERATOR = (255, 127, 14)  # orange
DISCRIMINATOR = (44, 160, 44)  # green
OPTIMAL = (148, 103, 189)  # purple: D*, the theory's optimal discriminator
DIVERGENCE = (214, 39, 40)  # red: JS divergence
VALUE = (127, 127, 127)  # grey: the game's value V(D, G)
LOSS_D = DISCRIMINATOR
LOSS_G = GENERATOR
REFERENCE = (110, 110, 110)


def pen(colour, width: float = 2.0, style=Qt.PenStyle.SolidLine, alpha: int = 255):
    return pg.mkPen((*colour, alpha), width=width, style=style)


def history_pen(colour):
    """The pen of a curve over iterations (up to 1,024 points): one pixel wide.

    Qt's raster engine strokes wider pens through a much slower path, which made the
    curves a frame's largest cost.
    """
    return pg.mkPen(colour, width=1)


def reference_line(y: float, label: str, colour=REFERENCE) -> pg.InfiniteLine:
    """A dashed horizontal line marking an equilibrium value, labelled at its right end.

    One pixel wide, as the curves (see history_pen): a wider line repaints about twice as
    slowly, and curves crossing it repaint it every frame.
    """
    line = pg.InfiniteLine(
        pos=y, angle=0, movable=False, pen=pen(colour, 1, Qt.PenStyle.DashLine),
        label=label, labelOpts={"position": 0.97, "color": colour, "anchors": [(1, 1), (1, 1)]},
    )
    return line


def sticky_range(values: np.ndarray, current: tuple[float, float], min_span: float,
                 margin: float = 0.2) -> tuple[float, float] | None:
    """A new y range for ``values`` when they leave ``current`` or fill under a third of it;
    None while ``current`` still suits them. Ranges that follow every frame make the axis
    jump and cost pyqtgraph a new tick layout each time."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return None
    low, high = float(finite.min()), float(finite.max())
    span = max(high - low, min_span)
    lo, hi = current
    if low < lo or high > hi or span < 0.3 * (hi - lo):
        return low - margin * span, high + margin * span
    return None


def fixed_plot(plot: pg.PlotItem, bottom: str | None = None, left: str | None = None):
    """Labels, and no mouse zooming: the views set their own ranges as data arrive."""
    if bottom is not None:
        plot.setLabel("bottom", bottom)
    if left is not None:
        plot.setLabel("left", left)
    for side in ("left", "bottom"):
        # Plain numbers: pyqtgraph rescales a labelled axis whose values stay under 1,
        # and a density peaking at 0.4 read "density (x0.001)" with ticks up to 500.
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    for side in ("left", "bottom", "right"):
        # An axis's ticks reach 5 px into its plot, so every repaint of the curves there
        # repainted the whole axis: from a pixmap kept until the axis itself changes, that
        # is a copy.
        plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    return plot


class RightAxisBox(pg.ViewBox):
    """A second view box sharing ``plot``'s x axis, scaled on the plot's right axis.

    Call :meth:`attach` once the plot is in a scene: the box must join the same scene.
    """

    def __init__(self, plot: pg.PlotItem, label: str, colour) -> None:
        super().__init__(enableMouse=False)
        self.plot = plot
        plot.showAxis("right")
        plot.getAxis("right").linkToView(self)
        plot.getAxis("right").setLabel(label, color=f"rgb{colour}")
        self.setXLink(plot.vb)
        plot.vb.sigResized.connect(self.align)

    def attach(self) -> None:
        self.plot.scene().addItem(self)
        self.align()

    def align(self) -> None:
        self.setGeometry(self.plot.vb.sceneBoundingRect())
        self.linkedViewChanged(self.plot.vb, self.XAxis)
