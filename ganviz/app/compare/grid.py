"""The compare mode's picture: one small cell per variant, and under them two charts that
overlay every variant's JS and losses over iterations, each variant in one colour
throughout (its cell's title, its curves).

Every plot item is made once, when the comparison starts, and updated in place. Hovering
a cell lights its curves and fades the others; a click keeps it lit (a second click, or
a click on another cell, moves the light); a double-click asks to open it as the main run.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ganviz.app import style
from ganviz.app.verdict_banner import VERDICT_COLOURS
from ganviz.app.views.toy2d import SURFACE_COLOURS
from ganviz.core import compare_protocol as messages

# Each curve keeps its newest points only: drawing 32 curves of unbounded length would slow
# the grid as the comparison goes on.
CURVE_POINTS = 2000
FADED_ALPHA = 50
# The charts follow every CHART_EVERY-th frame (5 times a second at 20 frames/s): their
# 48 curves of up to 2,000 points take as long to draw as the 16 cells.
CHART_EVERY = 4
DIVERGED_COLOURS = ("#fbdcdc", "#a01010")  # a variant whose losses went NaN/Inf
REAL_POINTS_SHOWN = 150  # a 2-D cell's real points (static, drawn under the fakes)


def variant_colour(index: int, count: int) -> tuple[int, int, int]:
    """Distinct hues around the wheel, dark enough to read on white."""
    colour = pg.intColor(index, hues=max(count, 1), values=1, maxValue=210, sat=220)
    return colour.red(), colour.green(), colour.blue()


class CompareGrid(QWidget):
    """Cells in ``columns`` columns, then the JS and loss charts across the bottom.

    Cells and charts are two graphics views: the cells change at every frame, the charts
    five times a second, and one view repainted its 48 chart curves with every frame
    (24 ms a paint, most of the window's time).
    """

    open_requested = Signal(int)  # a cell double-clicked: open that variant as the main run

    def __init__(self, layout: messages.CompareLayout, columns: int, parent=None) -> None:
        super().__init__(parent)
        self.cell_view = pg.GraphicsLayoutWidget()
        self.chart_view = pg.GraphicsLayoutWidget()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.cell_view, 3)
        box.addWidget(self.chart_view, 1)
        self.layout_message = layout
        self.mode = layout.mode
        self.count = len(layout.names)
        self.columns = max(1, min(columns, self.count))
        self.colours = [variant_colour(i, self.count) for i in range(self.count)]
        self.cells: list[pg.PlotItem] = []
        self.items: list[dict] = []
        # Losses at every frame; JS when it was measured afresh (each variant in turn).
        self.history = [{"step": [], "loss_d": [], "loss_g": [], "js_step": [], "js": []}
                        for _ in range(self.count)]
        self.titles = [""] * self.count
        self.hovered: int | None = None
        self.pinned: int | None = None
        self.frames = 0
        shared = _same_axes(layout.layouts)
        for index in range(self.count):
            row, column = divmod(index, self.columns)
            plot = self.cell_view.addPlot(row=row, col=column)
            # Axes on the outer cells only where the cells share their ranges: each axis
            # is a picture replayed at every repaint, and 32 of them cost ~10 ms a frame.
            self._style_cell(plot, left=column == 0 or not shared,
                             bottom=index + self.columns >= self.count or not shared)
            self.cells.append(plot)
            self.items.append(self._cell_items(plot, layout.layouts[index]))
        self.js_plot = self.chart_view.addPlot(row=0, col=0)
        self.loss_plot = self.chart_view.addPlot(row=0, col=1)
        self._style_charts()
        self.cell_view.scene().sigMouseMoved.connect(self._hover)
        self.cell_view.scene().sigMouseClicked.connect(self._click)

    # ------------------------------------------------------------------------- building
    def _style_cell(self, plot: pg.PlotItem, left: bool, bottom: bool) -> None:
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        for side, shown in (("left", left), ("bottom", bottom)):
            if not shown:
                plot.hideAxis(side)
                continue
            axis = plot.getAxis(side)
            axis.setStyle(tickLength=-3, tickTextOffset=2)
            axis.setTickFont(_small_font())
        if left:
            plot.getAxis("left").setWidth(28)
        if bottom:
            plot.getAxis("bottom").setHeight(16)

    def _cell_items(self, plot: pg.PlotItem, layout) -> dict:
        if isinstance(layout, messages.Layout1D):
            x = np.asarray(layout.x, dtype=np.float64)
            real = np.asarray(layout.real_pdf, dtype=np.float64)
            peak = float(real.max()) or 1.0
            plot.plot(x, real, pen=pg.mkPen(style.REAL, width=1.5),
                      fillLevel=0, brush=(*style.REAL, 40))
            if layout.d_is_probability:  # a critic has no 0.5 (drawn centred, scaled)
                half = pg.InfiniteLine(pos=0.5 * peak * 1.6, angle=0,
                                       pen=pg.mkPen(style.DISCRIMINATOR, width=1,
                                                    style=Qt.PenStyle.DotLine))
                plot.addItem(half)
            fake = plot.plot(stepMode="center", pen=pg.mkPen(style.GENERATOR, width=1.5))
            d = plot.plot(pen=pg.mkPen(style.DISCRIMINATOR, width=1.5))
            plot.setXRange(float(x[0]), float(x[-1]), padding=0)
            plot.setYRange(0, peak * 1.6, padding=0)
            # D(x) on 0..1 drawn on the density's axis: 1 at the top of the cell.
            return {"fake": fake, "d": d, "d_scale": peak * 1.6, "x": x,
                    "edges": np.asarray(layout.edges, dtype=np.float64)}
        if isinstance(layout, messages.LayoutImages):
            digits = pg.ImageItem(axisOrder="row-major")
            digits.setLevels((0, 255))
            plot.addItem(digits)
            plot.invertY(True)
            plot.setAspectLocked(True)
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            return {"digits": digits}
        x0, x1, y0, y1 = layout.bounds
        surface = pg.ImageItem(np.full((2, 2), 0.5, dtype=np.float32))
        surface.setLookupTable(SURFACE_COLOURS.getLookupTable(nPts=256))
        surface.setLevels((0.0, 1.0))
        rect = (x0, y0, x1 - x0, y1 - y0)
        surface.setRect(*rect)
        plot.addItem(surface)
        real = dots((*style.REAL, 140))
        plot.addItem(real)
        tick = 0.004 * (x1 - x0)
        show_dots(real, np.asarray(layout.real_points)[:REAL_POINTS_SHOWN], tick)
        fake = dots((*style.GENERATOR, 220))
        plot.addItem(fake)
        plot.setXRange(x0, x1, padding=0)
        plot.setYRange(y0, y1, padding=0)
        plot.setAspectLocked(True)
        return {"fake": fake, "surface": surface, "rect": rect, "tick": tick}

    def _style_charts(self) -> None:
        if self.mode == "mnist":
            self.js_plot.setTitle("Confident share (classified with p ≥ 0.9)", size="9pt")
            self.js_plot.setYRange(0, 1)
        else:
            self.js_plot.setTitle("JS divergence (bits)", size="9pt")
            self.js_plot.setLogMode(y=True)
        self.loss_plot.setTitle("Losses, smoothed: D solid, G dashed", size="9pt")
        for plot in (self.js_plot, self.loss_plot):
            plot.setMenuEnabled(False)
            plot.getAxis("bottom").setLabel("iteration")
            plot.showGrid(x=True, y=True, alpha=0.2)
        self.js_curves, self.d_curves, self.g_curves = [], [], []
        for colour in self.colours:
            self.js_curves.append(self.js_plot.plot(pen=pg.mkPen(colour, width=1.5)))
            self.d_curves.append(self.loss_plot.plot(pen=pg.mkPen(colour, width=1.5)))
            self.g_curves.append(self.loss_plot.plot(
                pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine)))

    # -------------------------------------------------------------------------- drawing
    def show_frame(self, frame: messages.CompareFrame) -> None:
        self.frames += 1
        charts = self.frames % CHART_EVERY == 1 or not frame.running
        for index, cell in enumerate(frame.cells):
            self._show_cell(index, cell)
            history = self.history[index]
            if not history["step"] or cell.step > history["step"][-1]:
                # A frame's losses are one iteration's: smoothed, or 16 noisy curves
                # hide each other.
                _append(history, step=cell.step,
                        loss_d=_smoothed(history["loss_d"], cell.loss_d),
                        loss_g=_smoothed(history["loss_g"], cell.loss_g))
            if cell.fresh and (not history["js_step"] or cell.step > history["js_step"][-1]):
                _append(history, js_step=cell.step,
                        js=cell.confident if self.mode == "mnist" else cell.js_bits)
            if charts:
                self._show_curves(index)

    def _show_curves(self, index: int) -> None:
        history = self.history[index]
        steps = np.asarray(history["step"], dtype=np.float64)
        self.d_curves[index].setData(steps, np.asarray(history["loss_d"]), skipFiniteCheck=True)
        self.g_curves[index].setData(steps, np.asarray(history["loss_g"]), skipFiniteCheck=True)
        js = np.asarray(history["js"], dtype=np.float64)
        if self.mode != "mnist":
            js = np.maximum(js, 1e-4)  # a log axis
        self.js_curves[index].setData(np.asarray(history["js_step"], dtype=np.float64), js)

    def _show_cell(self, index: int, cell: messages.Cell) -> None:
        items = self.items[index]
        if cell.digits is not None:
            items["digits"].setImage(np.asarray(cell.digits), autoLevels=False)
        elif cell.density is not None:
            items["fake"].setData(items["edges"], np.asarray(cell.density, dtype=np.float64))
            items["d"].setData(items["x"], np.asarray(cell.d_curve, dtype=np.float64)
                               * items["d_scale"])
        else:
            show_dots(items["fake"], np.asarray(cell.points), items["tick"])
            items["surface"].setImage(np.asarray(cell.surface), autoLevels=False)
            items["surface"].setRect(*items["rect"])  # the rect scales the image's pixels
        title = self._title(index, cell)
        if title != self.titles[index]:  # a title's layout costs more than its curves
            self.titles[index] = title
            self.cells[index].setTitle(title, size="8pt")

    def _title(self, index: int, cell: messages.Cell) -> str:
        colour = "#{:02x}{:02x}{:02x}".format(*self.colours[index])
        name = self.layout_message.names[index]
        if self.mode == "1d":
            background, ink = {**VERDICT_COLOURS, "diverged": DIVERGED_COLOURS}.get(
                cell.verdict, ("#eeeeee", "#333333"))
            badge = (f"<span style='background:{background}; color:{ink}'>&nbsp;"
                     f"{cell.verdict}&nbsp;</span>")
            figures = f"JS {cell.js_bits:.3f} {badge}" if math.isfinite(cell.js_bits) else badge
        else:
            figures = cell.verdict
        return f"<span style='color:{colour}'><b>{name}</b></span> {figures}"

    # -------------------------------------------------------------------- highlighting
    def cell_at(self, scene_position) -> int | None:
        for index, plot in enumerate(self.cells):
            if plot.sceneBoundingRect().contains(scene_position):
                return index
        return None

    def _hover(self, scene_position) -> None:
        index = self.cell_at(scene_position)
        if index != self.hovered:
            self.hovered = index
            self._light()

    def _click(self, event) -> None:
        index = self.cell_at(event.scenePos())
        if index is None:
            return
        if event.double():
            self.open_requested.emit(index)
            return
        self.pinned = None if self.pinned == index else index
        self._light()

    def lit(self) -> int | None:
        """The variant lit: the one under the pointer, else the one clicked."""
        return self.hovered if self.hovered is not None else self.pinned

    def _light(self) -> None:
        lit = self.lit()
        for index, colour in enumerate(self.colours):
            faded = lit is not None and index != lit
            width = 3.0 if index == lit else 1.5
            shade = (*colour, FADED_ALPHA) if faded else colour
            self.js_curves[index].setPen(pg.mkPen(shade, width=width))
            self.d_curves[index].setPen(pg.mkPen(shade, width=width))
            self.g_curves[index].setPen(pg.mkPen(shade, width=width,
                                                 style=Qt.PenStyle.DashLine))
            self.js_curves[index].setZValue(10 if index == lit else 0)
            self.cells[index].getViewBox().setBorder(
                pg.mkPen(colour, width=3) if index == lit else None)


def _same_axes(layouts) -> bool:
    """Whether every cell has the same ranges (a varied target or dataset changes them)."""
    def ranges(layout):
        if isinstance(layout, messages.Layout1D):
            return (float(layout.x[0]), float(layout.x[-1]))
        return tuple(getattr(layout, "bounds", ()))
    return len({ranges(layout) for layout in layouts}) == 1


def dots(colour) -> pg.PlotCurveItem:
    """Points drawn as very short lines with a round cap: one drawLines call for them
    all, where a ScatterPlotItem's per-point bookkeeping cost 1.5 ms a cell each frame
    (Qt draws nothing for lines of length zero)."""
    pen = pg.mkPen(colour, width=3.5)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pg.PlotCurveItem(pen=pen, connect="pairs", skipFiniteCheck=True)


def show_dots(item: pg.PlotCurveItem, points: np.ndarray, tick: float) -> None:
    """``points`` (N, 2) as dots: each a line ``tick`` long, in data units."""
    finite = points[np.isfinite(points).all(1)]
    x = np.repeat(finite[:, 0], 2)
    x[1::2] += tick
    item.setData(x, np.repeat(finite[:, 1], 2))


LOSS_SMOOTHING = 0.15  # each frame's loss moves the curve this share of the way


def _smoothed(curve: list, value: float) -> float:
    if not curve or not math.isfinite(curve[-1]):
        return value
    return curve[-1] + LOSS_SMOOTHING * (value - curve[-1])


def _append(history: dict, **values) -> None:
    for name, value in values.items():
        history[name].append(value)
        del history[name][:-CURVE_POINTS]


def _small_font():
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPointSize(7)
    return font
