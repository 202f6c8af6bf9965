"""One scale for a plot's text and lines (presentation mode), and room for legends and
captions outside its data.

Every view answers ``set_scale(scale)`` by calling :meth:`ScaledPlot.set_scale` on each of
its plots (and :func:`scale_plot` on other pyqtgraph plots): titles, axis ticks and labels,
legends, captions, reference-line labels and the pens of the curves grow by ``scale``. The
sizes a plot was built with are kept on first use, so scaling is never compounded and 1.0
restores them exactly.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPen
from PySide6.QtWidgets import QApplication, QGraphicsItem

TITLE_ROW_HEIGHT = 30.0  # px: pyqtgraph's fixed title row, kept at scale 1
LEGEND_ROW, CAPTION_ROW = 4, 5  # rows of a PlotItem's layout below its bottom axis


def point_size(points: float, scale: float) -> str:
    """A CSS font size, as pyqtgraph's labels take it."""
    return f"{points * scale:.1f}pt"


def scaled_font(scale: float, points: float | None = None) -> QFont:
    """The application's font at ``scale`` times ``points`` (its own size by default)."""
    font = QFont(QApplication.font())
    font.setPointSizeF((points or font.pointSizeF()) * scale)
    return font


def scaled_pen(pen: QPen, scale: float) -> QPen:
    """``pen`` at ``scale``: wider pens by the scale; one-pixel lines (curves over
    iterations, reference lines) by whole pixels, which Qt's raster engine strokes faster
    than fractional ones."""
    scaled = QPen(pen)
    width = pen.widthF() or 1.0  # a cosmetic width of 0 draws one pixel
    scaled.setWidthF(width * scale if width > 1.0 else max(1.0, round(width * scale)))
    return scaled


def _unscaled(item, read):
    """What ``item`` was built with (``read(item)``), remembered at its first scaling."""
    if not hasattr(item, "_ganviz_unscaled"):
        item._ganviz_unscaled = read(item)
    return item._ganviz_unscaled


def _label_points(label: pg.LabelItem, default: float) -> float:
    size = str(label.opts.get("size", f"{default}pt"))
    return float(size.removesuffix("pt")) if size.endswith("pt") else default


def scale_item(item, scale: float) -> None:
    """The pen (and a scatter's point size, a line's label font) of one plotted item."""
    if isinstance(item, pg.InfiniteLine):
        label = getattr(item, "label", None)  # pyqtgraph sets it only for labelled lines
        pen, points = _unscaled(item, lambda i: (
            QPen(i.pen), label.textItem.font().pointSizeF() if label else None))
        item.setPen(scaled_pen(pen, scale))
        if label is not None:
            label.setFont(scaled_font(scale, points))
    elif isinstance(item, pg.ScatterPlotItem):
        pen, size = _unscaled(item, lambda i: (pg.mkPen(i.opts["pen"]), i.opts["size"]))
        item.setPen(scaled_pen(pen, scale))
        item.setSize(size * scale)
    elif isinstance(item, (pg.PlotDataItem, pg.PlotCurveItem)):
        pen = _unscaled(item, lambda i: pg.mkPen(i.opts["pen"]))
        if pen.style() != pg.QtCore.Qt.PenStyle.NoPen:
            item.setPen(scaled_pen(pen, scale))
    elif isinstance(item, pg.LinearRegionItem):
        for line in item.lines:
            scale_item(line, scale)
    elif isinstance(item, pg.TextItem):
        points = _unscaled(item, lambda i: i.textItem.font().pointSizeF())
        item.setFont(scaled_font(scale, points))


def scale_legend(legend: pg.LegendItem, scale: float) -> None:
    points = _unscaled(legend, lambda i: float(str(i.opts["labelTextSize"])
                                               .removesuffix("pt")))
    legend.setLabelTextSize(point_size(points, scale))
    for _, label in legend.items:
        label.setText(label.text)  # setLabelTextSize stores the size; this applies it
    legend.updateSize()
    legend.updateGeometry()


def scale_label(label: pg.LabelItem, scale: float, default: float = 9.0) -> None:
    points = _unscaled(label, lambda i: _label_points(i, default))
    label.setText(label.text, size=point_size(points, scale))


def scale_plot(plot: pg.PlotItem, scale: float, boxes=()) -> None:
    """Title, axes, legend and every item of ``plot`` and of its extra view ``boxes``."""
    scale_label(plot.titleLabel, scale, default=11.0)
    for side in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(side)
        fixed = _unscaled(axis, lambda i: i.fixedWidth)
        axis.setTickFont(None if scale == 1.0 else scaled_font(scale))
        axis.setTickDensity(1.0 / scale)  # larger numbers need fewer of them, or they touch
        axis.label.setFont(scaled_font(scale))
        if fixed is not None:
            axis.setWidth(round(fixed * scale))
        axis._updateLabel()  # re-lays the label out and refits the axis's width or height
    if getattr(plot, "legend", None) is not None:
        scale_legend(plot.legend, scale)
    for box in (plot.vb, *boxes):
        # What was added to the box, and text items parented to it (summaries).
        texts = [item for item in box.childItems() if isinstance(item, pg.TextItem)]
        for item in (*box.addedItems, *texts):
            scale_item(item, scale)


def let_shrink(label: pg.LabelItem) -> pg.LabelItem:
    """``label`` no wider than its layout gives it, its text cut if need be. A LabelItem
    asks for its text's width as its minimum: a long title or caption (or a large scale)
    widened its plot beyond its column, over the plots beside it."""
    update_min = label.updateMin

    def shrinkable() -> None:
        update_min()
        label.setMinimumWidth(0)

    label.updateMin = shrinkable  # LabelItem.setText calls it
    shrinkable()
    # Narrower than its text (a side panel open at 1366 px), the text is cut at the label's
    # edge, its start kept in view, instead of spilling over the plot beside it.
    label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
    justify, place = label.opts.get("justify", "center"), label.resizeEvent

    def placed(event) -> None:
        too_wide = label.item.boundingRect().width() > label.width() + 0.5
        label.opts["justify"] = "left" if too_wide else justify
        place(event)

    label.resizeEvent = placed
    return label


def legend_width(legend: pg.LegendItem, columns: int) -> float:
    """The width of ``legend`` laid out ``columns`` entries a row (filled row by row, as
    pyqtgraph does), each column as wide as its widest entry."""
    widths = [0.0] * columns
    spacing = 2 * legend.layout.horizontalSpacing() + 6
    for index, (sample, label) in enumerate(legend.items):
        entry = sample.boundingRect().width() + label.preferredWidth() + spacing
        widths[index % columns] = max(widths[index % columns], entry)
    return sum(widths)


class ScaledPlot(pg.PlotItem):
    """A plot that scales as one (see :func:`scale_plot`), whose title row fits its text at
    any scale, and that can hold its legend and a caption below its axis, off its data."""

    def __init__(self, *args, **kwargs) -> None:
        self.scale = 1.0
        self.side_boxes: list[pg.ViewBox] = []  # view boxes on a second axis, scaled too
        self.caption: pg.LabelItem | None = None
        self.legend_group: tuple[ScaledPlot, ...] = ()  # plots beside it (see fit_legend)
        # Its name in Export plot: the title it was built with (a title may carry numbers).
        self.export_name = str(kwargs.get("title") or "")
        super().__init__(*args, **kwargs)
        # The title row spans the axes' columns too: a title wider than the data area
        # uses that room before it is cut (let_shrink).
        self.layout.removeItem(self.titleLabel)
        self.layout.addItem(self.titleLabel, 0, 0, 1, 3)
        let_shrink(self.titleLabel)
        # A title wider than its plot wraps onto more lines, centred, rather than being cut
        # (a side panel open at 1366 px left "Generated digits (same noise eve").
        text = self.titleLabel.item
        option = text.document().defaultTextOption()
        option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        text.document().setDefaultTextOption(option)
        placed = self.titleLabel.resizeEvent

        def wrapped(event) -> None:
            if self._wrap_title():
                self._fit_title()
            placed(event)

        self.titleLabel.resizeEvent = wrapped

    def _wrap_title(self) -> bool:
        """Wrap the title within its label's width; True when its height changed."""
        text, width = self.titleLabel.item, self.titleLabel.width()
        before = text.boundingRect().height()
        text.setTextWidth(-1)
        if width > 1 and text.boundingRect().width() > width + 0.5:
            text.setTextWidth(width)
        return abs(text.boundingRect().height() - before) > 0.5

    def setTitle(self, title=None, **args) -> None:
        # pyqtgraph gives the title a fixed 30 px row: a larger or two-line title was cut.
        super().setTitle(title, **args)
        if title is not None:
            self._wrap_title()
            self._fit_title()

    def _fit_title(self) -> None:
        height = max(TITLE_ROW_HEIGHT, self.titleLabel.item.boundingRect().height() + 6)
        self.titleLabel.setMaximumHeight(height)
        self.layout.setRowFixedHeight(0, height)

    def legend_below(self, columns: int) -> pg.LegendItem:
        """A legend under the x axis, up to ``columns`` entries a row: it covers no data.
        Call :meth:`fit_legend` when the plot's width changes."""
        legend = pg.LegendItem(labelTextSize="9pt", colCount=columns, frame=False)
        # Its entries' width must not widen the plot (which would widen the view box, and
        # fit_legend would then keep the too many columns): fit_legend decides instead.
        legend.setMinimumWidth(0)
        self.layout.addItem(legend, LEGEND_ROW, 1)
        self.legend = legend  # plot(name=...) adds its curve here
        self._legend_columns = columns
        return legend

    def _rows_needed(self, width: float) -> int:
        """The fewest legend rows whose entries fit ``width`` side by side."""
        legend = self.legend
        columns = next((n for n in range(self._legend_columns, 1, -1)
                        if legend_width(legend, n) <= width), 1)
        return math.ceil(len(legend.items) / columns)

    def fit_legend(self, width: float | None = None) -> None:
        """As many legend entries a row as fit ``width`` (the view box's by default), at
        least one: a row wider than the plot was cut at its edge, or widened the plot.

        Plots side by side (``legend_group``) get as many legend rows each, so that their
        view boxes, and so their x axes, stay level."""
        if not getattr(self, "_legend_columns", None) or not self.legend.items:
            return
        width = width if isinstance(width, (int, float)) else self.vb.width()
        group = [plot for plot in self.legend_group if plot is not self
                 and plot.legend is not None and plot.legend.items]
        rows = max([self._rows_needed(width),
                    *(plot._rows_needed(plot.vb.width()) for plot in group)])
        for plot in (self, *group):
            plot.legend.setColumnCount(math.ceil(len(plot.legend.items) / rows))

    def caption_below(self, text: str = " ") -> pg.LabelItem:
        """A line of text under the legend (numbers about the plot), off its data."""
        self.caption = let_shrink(pg.LabelItem(text, size="9pt", color=(40, 40, 40)))
        self.layout.addItem(self.caption, CAPTION_ROW, 0, 1, 3)  # the axes' room too
        return self.caption

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        scale_plot(self, scale, self.side_boxes)
        if self.caption is not None:
            scale_label(self.caption, scale)
        if self.titleLabel.isVisible():
            self._fit_title()
        self.fit_legend()


def level_legends(plots) -> None:
    """``plots`` side by side keep as many legend rows each (see ScaledPlot.fit_legend)."""
    plots = tuple(plots)
    for plot in plots:
        plot.legend_group = plots
