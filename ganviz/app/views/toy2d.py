"""The 2-D view: D's surface, real and fake points, the generator's gradients and manifold,
and the curves over iterations beside them (GAN Lab's picture, live)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ganviz.app import style
from ganviz.app.views.arrows import arrow_segments
from ganviz.app.views.curves import (
    DiscriminatorOutputPlot,
    LossesPlot,
    _HistoryPlot,
    show_training_curves,
)
from ganviz.app.views.narration_marks import NarratedView, NarrationMarks2D
from ganviz.app.views.past_marks import TimelineMarks, marks_for
from ganviz.app.views.quality import right_axis_box
from ganviz.app.views.scale import ScaledPlot, level_legends, scale_plot

# D's colours: fake-looking (0) purple, undecided (0.5) white, real-looking (1) green. Pale
# enough that the points on top stay readable.
SURFACE_COLOURS = pg.ColorMap(pos=[0.0, 0.5, 1.0],
                              color=[(170, 130, 200), (250, 250, 250), (120, 190, 120)])
ARROW = (60, 60, 60)
LAYERS = (
    ("surface", "D's surface", "D(x) on a 64x64 grid behind the points (colour bar on the "
                               "right: 0.5 is white, undecided)"),
    ("real", "Real points", "500 samples of the real data, fixed for the run"),
    ("fake", "Fake points", "The generator on 500 fixed noise values: follow a point from "
                            "frame to frame"),
    ("gradients", "Gradients", "Where the generator's loss pushes each fake point: "
                               "-dL_G/dx, scaled so that the longest arrows stay readable"),
    ("manifold", "Manifold", "The image of a 21x21 grid of noise values (2-D noise only): "
                             "how the generator folds its noise plane"),
)


CURVES_MIN_WIDTH = 300  # px (at scale 1) left to the curves beside the plane
MIN_PLANE_SIDE = 120  # px: the plane's view box never gets smaller


class _ResizingLayout(pg.GraphicsLayoutWidget):
    """A GraphicsLayoutWidget that calls ``resized()`` after each resize."""

    resized = staticmethod(lambda: None)  # replaced by the view (set before __init__ ends)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized()


class PlanePlot(ScaledPlot):
    """The data plane: D's surface as a heatmap with the points, arrows and grid on top.

    Its legend and numbers are under the x axis: over the plane they hid D's surface."""

    def __init__(self) -> None:
        super().__init__(title="Real and generated points on D's surface")
        style.fixed_plot(self, "x", "y")
        self.setAspectLocked(True)
        self.surface = pg.ImageItem(axisOrder="col-major")
        self.surface.setLookupTable(SURFACE_COLOURS.getLookupTable(0.0, 1.0, 256))
        self.surface.setLevels((0.0, 1.0))
        self.surface.setZValue(-20)
        self.addItem(self.surface)
        self.manifold = pg.PlotCurveItem(pen=style.pen(style.GENERATOR, 1.0, alpha=150))
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen(ARROW, width=1.2), connect="pairs")
        self.real = pg.ScatterPlotItem(size=5, pen=pg.mkPen((255, 255, 255, 160), width=0.6),
                                       brush=pg.mkBrush(*style.REAL, 220), name="real")
        self.fake = pg.ScatterPlotItem(size=5, pen=pg.mkPen((255, 255, 255, 160), width=0.6),
                                       brush=pg.mkBrush(*style.GENERATOR, 220), name="fake")
        for item in (self.manifold, self.real, self.fake, self.arrows):
            self.addItem(item)
        legend = self.legend_below(columns=2)
        legend.addItem(self.real, "real data")
        legend.addItem(self.fake, "generator as trained, G(z) of fixed z")
        legend.addItem(self.arrows, "−∂L_G/∂x: where G is pushed")
        legend.addItem(self.manifold, "G of a noise grid")
        self.summary = self.caption_below()
        self.vb.sigResized.connect(self.fit_legend)
        self._bounds: tuple | None = None
        self._real_points: np.ndarray | None = None
        self._manifold_connect: np.ndarray | None = None

    def show_evaluation(self, evaluation) -> None:
        x0, x1, y0, y1 = evaluation.bounds
        if evaluation.bounds != self._bounds:
            self._bounds = evaluation.bounds
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.0)
        self.surface.setImage(evaluation.surface_colour, autoLevels=False, levels=(0.0, 1.0))
        self.surface.setRect(x0, y0, x1 - x0, y1 - y0)
        # The real sample is fixed for a dataset: re-set only when it changes (a scatter's
        # setData is a large part of a frame's cost).
        if self._real_points is None or not np.array_equal(self._real_points,
                                                           evaluation.real_points):
            self._real_points = evaluation.real_points
            self.real.setData(pos=evaluation.real_points)
        # A diverged generator gives NaN points: they are left out, not drawn as errors.
        finite = np.isfinite(evaluation.fake_points).all(1) & \
            np.isfinite(evaluation.gradients).all(1)
        self.fake.setData(pos=evaluation.fake_points[finite])
        segments = arrow_segments(evaluation.fake_points[finite],
                                  evaluation.arrow_scale * evaluation.gradients[finite], x1 - x0)
        self.arrows.setData(segments[:, 0], segments[:, 1])
        self._show_manifold(evaluation.manifold)
        text = (f"step {evaluation.step:,}: KL {evaluation.kl_bits:.3f}, "
                f"JS {evaluation.js_bits:.4f} bits (averaged G)")
        if evaluation.mode_shares:
            text += (f"<br>{evaluation.modes_covered} of {len(evaluation.mode_shares)} modes "
                     f"covered, {evaluation.high_quality:.0%} within 3σ of a mode")
        self.summary.setText(text)

    def _show_manifold(self, manifold: np.ndarray | None) -> None:
        if manifold is None or not np.isfinite(manifold).all():
            self.manifold.setData([], [])
            return
        lines = manifold.shape[0]
        # Rows then columns of the warped grid as one polyline, broken between lines.
        path = np.concatenate((manifold.reshape(-1, 2),
                               manifold.transpose(1, 0, 2).reshape(-1, 2)))
        if self._manifold_connect is None or len(self._manifold_connect) != len(path):
            connect = np.ones(len(path), dtype=bool)
            connect[lines - 1::lines] = False
            self._manifold_connect = connect
        self.manifold.setData(path[:, 0], path[:, 1], connect=self._manifold_connect)

    def set_probability(self, probability: bool) -> None:
        title = "D(x)" if probability else "critic C(x), centred and scaled"
        self.setTitle(f"Real and generated points on {title}")

    def clear_view(self) -> None:
        self._bounds = None
        self._real_points = None
        for item in (self.real, self.fake):
            item.setData(pos=np.zeros((0, 2)))
        for curve in (self.arrows, self.manifold):
            curve.setData([], [])
        self.surface.clear()
        self.summary.setText(" ")  # a blank line keeps the caption's height


class DivergencePlot(_HistoryPlot):
    """KL and JS between real and generated samples on a grid, in bits, log axis."""

    def __init__(self) -> None:
        super().__init__("Divergence on a 32×32 grid", "bits (log)")
        self.setLogMode(x=False, y=True)
        self.setYRange(-3, math.log10(20.0), padding=0.02)
        self.kl = self.plot(pen=style.history_pen(style.OPTIMAL), name="KL(p_data ‖ p_g)")
        self.js = self.plot(pen=style.history_pen(style.DIVERGENCE), name="JS(p_data ‖ p_g)")
        # Mixtures: the share of samples within 3 sigma of a mode, and of modes covered, on
        # 0..1 at the right (no axis for a dataset without modes).
        self.shares = right_axis_box(self, "share", style.REFERENCE)
        self.shares.setYRange(0.0, 1.02, padding=0)
        self.within = pg.PlotDataItem(pen=pg.mkPen(style.GENERATOR, width=2,
                                                   style=Qt.PenStyle.DashLine))
        self.covered = pg.PlotDataItem(pen=pg.mkPen(style.REAL, width=2,
                                                    style=Qt.PenStyle.DotLine))
        self._share_names = ((self.within, "within 3σ (right)"),
                             (self.covered, "modes covered (right)"))
        for curve, _ in self._share_names:
            self.shares.addItem(curve)
        self._mixture = False
        self.showAxis("right", False)

    def _show_objective(self, objective, equilibrium, smoothing: float) -> None:
        pass  # the divergences do not depend on the objective

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        steps = history["step"]
        self.kl.setData(steps, np.maximum(history["kl_bits"], 1e-3))
        self.js.setData(steps, np.maximum(history["js_bits"], 1e-3))
        mixture = bool(np.isfinite(history["high_quality"][-1:]).any())
        if mixture != self._mixture:  # the dataset changed: its legend and axis with it
            self._mixture = mixture
            self.showAxis("right", mixture)
            for curve, name in self._share_names:
                curve.setVisible(mixture)
                if mixture:
                    self.legend.addItem(curve, name)
                else:
                    self.legend.removeItem(curve)
            self.fit_legend()
        if mixture:
            self.within.setData(steps, history["high_quality"])
            self.covered.setData(steps, history["modes_covered_share"])
        self._follow(steps)

    def clear(self) -> None:
        for curve in (self.kl, self.js, self.within, self.covered):
            curve.setData([], [])


class Toy2DView(TimelineMarks, NarratedView, QWidget):
    """Layer switches above; the plane on the left, the curves over iterations right."""

    narration_marks = NarrationMarks2D

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 4)
        bar.addWidget(QLabel("Show:"))
        self.layer_boxes: dict[str, QCheckBox] = {}
        for name, label, tip in LAYERS:
            box = QCheckBox(label, checked=True, toolTip=tip)
            box.toggled.connect(lambda shown, n=name: self.show_layer(n, shown))
            bar.addWidget(box)
            self.layer_boxes[name] = box
        bar.addStretch(1)
        layout.addLayout(bar)

        self.graphics = _ResizingLayout()
        layout.addWidget(self.graphics, 1)
        self.plane = PlanePlot()
        self.colour_bar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=SURFACE_COLOURS,
                                          interactive=False, width=14, label="D(x)")
        self.losses = LossesPlot()
        self.d_outputs = DiscriminatorOutputPlot()
        self.divergence = DivergencePlot()
        self.graphics.addItem(self.plane, row=0, col=0, rowspan=3)
        self.graphics.addItem(self.colour_bar, row=0, col=1, rowspan=3)
        self.graphics.addItem(self.losses, row=0, col=2)
        self.graphics.addItem(self.d_outputs, row=1, col=2)
        self.graphics.addItem(self.divergence, row=2, col=2)
        level_legends((self.losses, self.d_outputs, self.divergence))
        self.past = marks_for(self.losses, self.d_outputs, self.divergence)
        # The plane's column is sized by _fit_plane (a square); the curves take the rest.
        layout_ = self.graphics.ci.layout
        layout_.setColumnStretchFactor(0, 0)
        layout_.setColumnStretchFactor(2, 1)
        layout_.setAlignment(self.plane, Qt.AlignmentFlag.AlignCenter)
        self.scale = 1.0
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_plane)
        self._refits = 0  # fits in a row that left the plane not square yet
        self.graphics.resized = self._request_fit
        self.plane.vb.sigResized.connect(self._check_square)
        self._layers = {"surface": (self.plane.surface,), "real": (self.plane.real,),
                        "fake": (self.plane.fake,),
                        "gradients": (self.plane.arrows,),
                        "manifold": (self.plane.manifold,)}
        self._probability: bool | None = None
        # The real sample, sent with a dataset's first frame only; the evaluations measure
        # every later state against it.
        self._real_points: np.ndarray | None = None

    # ------------------------------------------------------------------- the square
    def _request_fit(self) -> None:
        self._refits = 0
        self._fit_timer.start()

    def _check_square(self, *_) -> None:
        # The legend's rows follow the plane's width, and change its height: a fit or two
        # more settle it.
        vb = self.plane.vb
        # The colour bar beside the plane's view box, not beside its legend and caption.
        top = vb.geometry().top()
        bottom = self.plane.height() - vb.geometry().bottom()
        self.colour_bar.layout.setContentsMargins(1, top, 1, max(1.0, bottom))
        if abs(vb.width() - vb.height()) > 2 and self._refits < 3:
            self._refits += 1
            self._fit_timer.start()

    def _fit_plane(self) -> None:
        """The plane's view box a square, as large as the height (and the curves' minimum
        width) allow: the data's bounds are square, so the surface fills it. In a cell of
        another shape, the locked aspect left white bands above and below the surface."""
        plane, vb, grid = self.plane, self.plane.vb, self.graphics.ci
        if vb.width() <= 0 or vb.height() <= 0:
            return
        left, top, right, bottom = grid.layout.getContentsMargins()
        spacing = max(0.0, grid.layout.horizontalSpacing())
        extra_w = plane.width() - vb.width()  # axes
        extra_h = plane.height() - vb.height()  # title, axis, legend, caption
        room_w = (grid.width() - left - right - 2 * spacing - self.colour_bar.width()
                  - CURVES_MIN_WIDTH * self.scale - extra_w)
        side = max(MIN_PLANE_SIDE, min(room_w, grid.height() - top - bottom - extra_h))
        plane.fit_legend(side)  # its rows change extra_h: _check_square fits again
        plane.setMinimumWidth(side + extra_w)
        plane.setMaximumWidth(side + extra_w)
        plane.setMaximumHeight(side + extra_h)

    def narration_plot(self):
        return self.plane

    def set_scale(self, scale: float) -> None:
        """Text and lines of every plot at ``scale`` (presentation mode)."""
        self.scale = scale
        for plot in (self.plane, self.losses, self.d_outputs, self.divergence):
            plot.set_scale(scale)
        scale_plot(self.colour_bar, scale)
        self._request_fit()

    def show_layer(self, name: str, shown: bool) -> None:
        for item in self._layers[name]:
            item.setVisible(shown)
        if name == "surface":
            self.colour_bar.setVisible(shown)

    def layer_shown(self, name: str) -> bool:
        return self._layers[name][0].isVisible()

    def show_evaluation(self, evaluation, history: dict) -> None:
        if evaluation.surface_is_probability != self._probability:
            self._probability = evaluation.surface_is_probability
            self.plane.set_probability(self._probability)
            self.colour_bar.setLabel("left", "D(x)" if self._probability
                                     else "critic (centred, scaled)")
        self.plane.show_evaluation(evaluation)
        manifold = self.layer_boxes["manifold"]
        if manifold.isEnabled() != (evaluation.manifold is not None):
            manifold.setEnabled(evaluation.manifold is not None)
            manifold.setToolTip(LAYERS[-1][2] if manifold.isEnabled() else
                                "Only for 2-D noise: set the noise dimension to 2 (then Reset)")
        self.divergence.setToolTip(evaluation.divergence_note)
        if len(history["step"]):
            self.divergence.show_history(history)

    def receive(self, snapshot) -> None:
        state = snapshot.view
        if state.real_points is not None:
            self._real_points = state.real_points
        state.real_points = self._real_points

    def show_frame(self, snapshot, running: bool = True) -> None:
        show_training_curves(self.losses, self.d_outputs, snapshot, running)

    def clear(self) -> None:
        """The real sample is kept: a Reset the trainer refuses goes on with its dataset,
        and a new one comes with the next dataset's first frame."""
        self.plane.clear_view()
        self.divergence.clear()
        self.clear_curves()

