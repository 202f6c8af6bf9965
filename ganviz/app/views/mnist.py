"""The MNIST view: a fixed-noise sample grid, real digits beside it, class shares, curves."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage

from ganviz.app import style
from ganviz.app.views.cell_marks import CellMarks, cell_at
from ganviz.app.views.curves import DiscriminatorOutputPlot, LossesPlot, show_training_curves
from ganviz.app.views.digit_bar import DigitBar
from ganviz.app.views.narration_marks import NarratedView
from ganviz.app.views.past_marks import TimelineMarks, marks_for
from ganviz.app.views.quality import QualityPlot
from ganviz.app.views.scale import ScaledPlot, level_legends
from ganviz.core.mnist.state import NOISE_GRID_TITLE


class GreyImage(pg.GraphicsObject):
    """A uint8 grey or RGB image (rows down), one scene unit per pixel, drawn without
    smoothing.

    Why not pyqtgraph's ImageItem: it hands Qt a grey (or, with levels, an indexed) image,
    which Qt's raster engine converts at every paint on its thread pool. That woke a thread
    on each core at every frame, beside a trainer whose two torch threads wait for each
    other. Converted here once per frame to Qt's own RGB32, it paints with no thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self.image: np.ndarray | None = None  # the grey values drawn, (rows, columns)
        self._qimage: QImage | None = None

    def setImage(self, pixels: np.ndarray) -> None:
        """uint8 (rows, columns) grey or (rows, columns, 3) RGB."""
        pixels = np.array(pixels, dtype=np.uint8)  # a copy: the caller may reuse its array
        resized = self.image is None or self.image.shape != pixels.shape
        if resized:
            self.prepareGeometryChange()
        rows, columns = pixels.shape[:2]
        colour = pixels.ndim == 3
        self.image = pixels
        # convertToFormat copies: the QImage does not keep pointing into the array.
        self._qimage = QImage(
            pixels.data, columns, rows, columns * (3 if colour else 1),
            QImage.Format.Format_RGB888 if colour else QImage.Format.Format_Grayscale8,
        ).convertToFormat(QImage.Format.Format_RGB32)
        if resized:
            self.informViewBoundsChanged()
        self.update()

    def boundingRect(self) -> QRectF:
        if self.image is None:
            return QRectF()
        return QRectF(0, 0, self.image.shape[1], self.image.shape[0])

    def paint(self, painter, *args) -> None:
        if self._qimage is not None:
            painter.drawImage(self.boundingRect(), self._qimage)


def _image_box(title: str) -> tuple[ScaledPlot, GreyImage]:
    plot = style.fixed_plot(ScaledPlot(title=title))
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.invertY(True)  # image rows go down, as in the data
    image = GreyImage()
    plot.addItem(image)
    return plot, image


CLASSES_TITLE = "Classes of 500 fresh samples"
WAITING_TEXT = "waiting for the first classification\n(every few seconds while training)"


class ClassSharesPlot(ScaledPlot):
    """Share of each digit class among freshly generated samples: mode collapse shows.

    Empty, with a note, until a trained generator is classified: the untrained one's noise
    all went to one class, a single tall bar that meant nothing."""

    def __init__(self) -> None:
        super().__init__(title=CLASSES_TITLE)
        style.fixed_plot(self, "digit", "share of samples")
        # All samples by their most likely class (light), and those classified with
        # p >= 0.9 (dark): early noise fills a light bar but hardly a dark one.
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                    brush=(*style.GENERATOR, 90), pen=None)
        self.confident_bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                              brush=(*style.GENERATOR, 230), pen=None)
        self.addItem(self.bars)
        self.addItem(self.confident_bars)
        # Under the axis, with the uniform share as a legend entry: labelled in the plot,
        # "uniform 0.1" sat on the bars.
        legend = self.legend_below(columns=3)
        legend.addItem(self.bars, "most likely class")
        legend.addItem(self.confident_bars, "classified with p ≥ 0.9")
        self.uniform = self.plot([-0.6, 9.6], [0.1, 0.1], name="uniform share 0.1",
                                 pen=style.pen(style.REFERENCE, 1, Qt.PenStyle.DashLine))
        self.vb.sigResized.connect(self.fit_legend)
        self.waiting = pg.TextItem(WAITING_TEXT, anchor=(0.5, 0.5), color=(90, 90, 90))
        self.addItem(self.waiting)
        # The note wraps within the plot, centred: a narrow column cut it at both ends.
        option = self.waiting.textItem.document().defaultTextOption()
        option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.waiting.textItem.document().setDefaultTextOption(option)
        self.vb.sigResized.connect(lambda *_: self.waiting.setTextWidth(
            max(40.0, self.vb.width() - 8)))
        self.getAxis("bottom").setTicks([[(i, str(i)) for i in range(10)]])
        self.setXRange(-0.6, 9.6, padding=0)
        self.setYRange(0, 0.5, padding=0)
        self._top = 0.5
        self.show_waiting()

    def show_waiting(self) -> None:
        """No classification yet: empty bars and the note."""
        for bars in (self.bars, self.confident_bars):
            bars.setOpts(height=np.zeros(10))
        self.waiting.setPos(4.5, 0.5 * self._top)
        self.waiting.setVisible(True)
        self.setTitle(CLASSES_TITLE)

    def show_counts(self, counts: np.ndarray, confident_counts: np.ndarray, confident: float,
                    coverage: float, step: int, accuracy: float = float("nan")) -> None:
        self.waiting.setVisible(False)
        total = max(1, counts.sum())
        shares = counts / total
        self.bars.setOpts(height=shares)
        self.confident_bars.setOpts(height=confident_counts / total)
        top = 0.5 if shares.max() <= 0.45 else 1.0
        if top != self._top:
            self._top = top
            self.setYRange(0, top, padding=0)
        # Two lines: on one, the numbers were cut in a column a quarter of the window wide.
        # Short enough for a column a quarter of the window wide.
        sure = f"{confident:.0%} sure (p ≥ 0.9)" if np.isnan(accuracy) else \
            f"{confident:.0%} sure, {accuracy:.0%} as asked"
        self.setTitle(f"Classes at step {step:,}<br>{sure}, coverage {coverage:.2f}")


GRID_MINIMUM_WIDTH = 150  # px: each digit grid's plot, title included
GRID_MARGIN = 0.02  # of a grid's size, left blank around it


class ImagesView(TimelineMarks, NarratedView, pg.GraphicsLayoutWidget):
    cell_clicked = Signal(int)  # a generated digit clicked: its cell (row * 8 + column)

    def __init__(self) -> None:
        super().__init__()
        # GraphicsLayoutWidget copies its layout's clear() (remove every plot) onto each
        # instance; this view's clear() is the View protocol's, which keeps the plots.
        del self.clear
        self.samples_plot, self.samples_image = _image_box(NOISE_GRID_TITLE)
        self.real_plot, self.real_image = _image_box("Real digits")
        self.classes = ClassSharesPlot()
        self.losses = LossesPlot()
        self.d_outputs = DiscriminatorOutputPlot()
        self.quality = QualityPlot()
        self.addItem(self.samples_plot, row=0, col=0)
        self.addItem(self.real_plot, row=0, col=1)
        self.addItem(self.classes, row=0, col=2)
        # The curves in a row of their own under all three columns: the real digits'
        # column must be free to collapse when they are hidden.
        curves = self._curves = self.ci.addLayout(row=1, col=0, colspan=3)
        curves.addItem(self.losses, row=0, col=0)
        curves.addItem(self.quality, row=0, col=1)
        curves.addItem(self.d_outputs, row=0, col=2)
        for column, stretch in enumerate((4, 4, 3)):
            curves.layout.setColumnStretchFactor(column, stretch)
        level_legends((self.losses, self.d_outputs))
        self.past = marks_for(self.losses, self.d_outputs)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        for column, stretch in enumerate((3, 3, 2)):
            self.ci.layout.setColumnStretchFactor(column, stretch)
        # Both grids at the same size. A layout gives each column its items' preferred width
        # first and shares out only the rest by stretch; a plot prefers (and needs at least)
        # its title's width, so the real digits (a short title) were drawn at 60-70% of the
        # samples' size. Both now prefer the wider title's width, and may shrink alike below
        # it in a narrow window (the long title is then cut) rather than push the third
        # column out of sight.
        self._grid_width = max(self.samples_plot.preferredWidth(),
                               self.real_plot.preferredWidth())
        for plot in (self.samples_plot, self.real_plot):
            plot.setMinimumWidth(GRID_MINIMUM_WIDTH)
            plot.setPreferredWidth(self._grid_width)
        self._real_shown = True
        self._judged = True  # the images are digits the classifier judges: bars, quality
        self._classes_shown = None  # the classification last drawn ("waiting": none)
        self._grids = ((self.samples_plot, self.samples_image),
                       (self.real_plot, self.real_image))
        for plot, _ in self._grids:
            plot.vb.sigResized.connect(self._equal_grids)
        self.cell_marks = CellMarks(self.samples_plot, self.samples_image)
        # Above the view (its page places it), shown for a conditional preset only.
        self.digit_bar = DigitBar()
        self.scene().sigMouseClicked.connect(self._clicked)

    def _clicked(self, event) -> None:
        """A click on a generated digit: the latent explorer's choice."""
        image = self.samples_image.image
        if image is None or not self.samples_plot.vb.sceneBoundingRect().contains(
                event.scenePos()):
            return
        at = self.samples_plot.vb.mapSceneToView(event.scenePos())
        cell = cell_at(at.x(), at.y(), image.shape)
        if cell is not None:
            self.cell_clicked.emit(cell)

    def show_real(self, shown: bool) -> None:
        self._real_shown = shown
        self.real_plot.setVisible(shown)
        # The real grid's column collapses when hidden, so the samples get the room.
        self.real_plot.setMinimumWidth(GRID_MINIMUM_WIDTH if shown else 0)
        self.real_plot.setPreferredWidth(self._grid_width if shown else 0)
        self.ci.layout.setColumnStretchFactor(1, 3 if shown else 0)
        self.ci.layout.setColumnMaximumWidth(1, 1e6 if shown else 0)
        self._equal_grids()

    def _show_judged(self, judged: bool) -> None:
        """Digits get the class bars and the quality chart; other images (no classifier
        knows them) give their columns to the grids and curves."""
        self._judged = judged
        self.real_plot.setTitle("Real digits" if judged else "Real images")
        for layout, column, item, stretch in ((self.ci, 2, self.classes, 2),
                                              (self._curves, 1, self.quality, 4)):
            item.setVisible(judged)
            layout.layout.setColumnStretchFactor(column, stretch if judged else 0)
            layout.layout.setColumnMaximumWidth(column, 1e6 if judged else 0)
        self._equal_grids()

    def receive(self, snapshot) -> None:
        """The run's real digits come with its first frame only: drawn (and so kept) at once,
        even when that frame itself is never drawn."""
        if snapshot.view.real_grid is not None:
            self.real_image.setImage(snapshot.view.real_grid)
            self._equal_grids()

    def _equal_grids(self, *_) -> None:
        """Both grids drawn at one scale, the largest at which both fit their plots.

        Each plot fitted its own image, and the two plots' widths differ by the layout's
        rounding and their titles: the real digits were drawn smaller than the generated
        ones. The ranges set here give both the same screen pixels per image pixel."""
        shown = [(plot, image) for plot, image in self._grids
                 if image.image is not None and plot.isVisible()
                 and plot.vb.width() > 0 and plot.vb.height() > 0]
        if not shown:
            return
        # A margin of GRID_MARGIN of the image on each side keeps the grids apart.
        per_pixel = (1 + 2 * GRID_MARGIN) * max(
            max(image.image.shape[1] / plot.vb.width(), image.image.shape[0] / plot.vb.height())
            for plot, image in shown)
        for plot, image in shown:
            rows, columns = image.image.shape[:2]
            half_w, half_h = 0.5 * per_pixel * plot.vb.width(), 0.5 * per_pixel * plot.vb.height()
            plot.vb.setRange(xRange=(0.5 * columns - half_w, 0.5 * columns + half_w),
                             yRange=(0.5 * rows - half_h, 0.5 * rows + half_h), padding=0.0)

    def set_scale(self, scale: float) -> None:
        """Text and lines of every plot at ``scale`` (presentation mode)."""
        for plot in (self.samples_plot, self.real_plot, self.classes, self.losses,
                     self.d_outputs, self.quality):
            plot.set_scale(scale)

    def show_evaluation(self, evaluation, history: dict) -> None:
        pass  # MNIST frames are drawn as they come; nothing is evaluated on the side

    def clear(self) -> None:
        self.clear_curves()
        self.quality.clear_points()

    def show_frame(self, snapshot, running: bool = True) -> None:
        view = snapshot.view
        if view.classified != self._judged:
            self._show_judged(view.classified)
        if self.digit_bar.isHidden() == view.conditional:
            self.digit_bar.setVisible(view.conditional)
        self.digit_bar.show_digit(view.digit)
        shape = None if self.samples_image.image is None else self.samples_image.image.shape
        self.samples_image.setImage(view.samples_grid)
        if view.samples_grid.shape != shape:
            self._equal_grids()
        if view.grid_title != self.samples_plot.titleLabel.text:  # a layout, or a Reset's codes
            self.samples_plot.setTitle(view.grid_title)
        # The trainer classifies every few seconds and repeats the result in the frames
        # between: unchanged bars and title are not redrawn (a noticeable part of a frame).
        # A classification at step 0 is of the untrained generator's noise: not shown.
        classes = ("waiting" if view.class_counts is None or view.classified_step == 0 else
                   (view.classified_step, view.confident, view.coverage,
                    view.class_counts.tobytes(), view.confident_counts.tobytes()))
        if classes != self._classes_shown:
            self._classes_shown = classes
            if classes == "waiting":
                self.classes.show_waiting()
            else:
                self.classes.show_counts(view.class_counts, view.confident_counts,
                                         view.confident, view.coverage, view.classified_step,
                                         view.class_accuracy)
                self.quality.add(view.classified_step, vars(view))
        show_training_curves(self.losses, self.d_outputs, snapshot, running)
