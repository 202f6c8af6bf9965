"""Colours and pens shared by the views, chosen to stay distinct on a projector."""

import pyqtgraph as pg
from PySide6.QtCore import Qt

REAL = (31, 119, 180)  # blue
GENERATOR = (255, 127, 14)  # orange
DISCRIMINATOR = (44, 160, 44)  # green
LOSS_D = DISCRIMINATOR
LOSS_G = GENERATOR
REFERENCE = (110, 110, 110)


def pen(colour, width: float = 2.0, style=Qt.PenStyle.SolidLine, alpha: int = 255):
    return pg.mkPen((*colour, alpha), width=width, style=style)


def reference_line(y: float, label: str, colour=REFERENCE) -> pg.InfiniteLine:
    """A dashed horizontal line marking an equilibrium value, labelled at its right end."""
    line = pg.InfiniteLine(
        pos=y, angle=0, movable=False, pen=pen(colour, 1.2, Qt.PenStyle.DashLine),
        label=label, labelOpts={"position": 0.97, "color": colour, "anchors": [(1, 1), (1, 1)]},
    )
    return line


def fixed_plot(plot: pg.PlotItem, bottom: str | None = None, left: str | None = None):
    """Labels, and no mouse zooming: the views set their own ranges as data arrive."""
    if bottom is not None:
        plot.setLabel("bottom", bottom)
    if left is not None:
        plot.setLabel("left", left)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    return plot
