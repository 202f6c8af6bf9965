"""Curves over iterations: the two losses, and D on the real and the fake batch."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from ganviz.app import style
from ganviz.app.views.scale import ScaledPlot
from ganviz.core import theory
from ganviz.core.metrics import nice_step
from ganviz.core.theory import JS_CONVERGED_BITS


def reference_line(y: float, label: str, colour=style.REFERENCE) -> pg.InfiniteLine:
    """style.reference_line whose label stays inside the plot: above the line in the lower
    half of the view, below it in the upper half. Always above, the label of a line near
    the top ("2 ln 2" on the losses) was cut by the plot's edge."""
    line = style.reference_line(y, label, colour)
    line.label.anchors = [(1, 0), (1, 1)]  # pyqtgraph: [line in the upper half, lower half]
    return line


class _HistoryPlot(ScaledPlot):
    """A plot over iterations whose x range follows the run."""

    def __init__(self, title: str, left: str) -> None:
        super().__init__(title=title)
        style.fixed_plot(self, "iteration", left)
        # Under the x axis: inside, wherever it sat, some run's curves went under it.
        self.legend_below(columns=2)
        self.vb.sigResized.connect(self.fit_legend)
        self._x_top = 0.0
        self._objective: tuple[str, float] | None = None
        # The history the curves on screen show: (last step, points, first and last values).
        self._drawn_to: tuple[float, int, tuple, tuple] | None = None
        self.history_curves: tuple[pg.PlotDataItem, ...] = ()  # curves over iterations
        self.x_floor = 0.0  # the x range reaches at least this far (other branches' ends)

    def set_objective(self, name: str, smoothing: float) -> None:
        """Labels and equilibrium lines of the objective being trained (redone on change)."""
        if (name, smoothing) != self._objective:
            self._objective = (name, smoothing)
            objective = theory.info(name)
            self._show_objective(objective, objective.equilibrium(smoothing), smoothing)
            self.forget_drawn()

    def take_news(self, history: dict[str, np.ndarray], every_point: bool = False) -> bool:
        """Whether ``history`` shows anything the curves on screen do not; if so, they are
        taken as drawn from it (the caller draws them).

        Redrawing a long curve is costly, while a slow run (MNIST) grows it by a fraction
        of a pixel a frame. So while training runs, curves are redrawn when they reach a
        pixel further, or are another history: a new run, an
        opened session or a restored state (the first or the last drawn point differs), or
        points merged to keep the history bounded (fewer of them). ``every_point``: draw
        the newest iterations anyway, as when paused, where one Step must show.
        """
        steps = history["step"]
        if not len(steps):
            return True
        series = tuple(history.values())
        now = (float(steps[-1]), len(steps), tuple(float(values[0]) for values in series),
               tuple(float(values[-1]) for values in series))
        if self._drawn_to is not None and not every_point:
            last_step, points, first_values, last_values = self._drawn_to
            iterations_per_pixel = (self._x_top or 100.0) / max(1.0, self.vb.width())
            if (points <= len(steps) and last_step <= now[0]
                    and now[0] - last_step < iterations_per_pixel
                    and first_values == now[2]
                    # A history only appends (or merges, which shortens it): the point
                    # drawn last is still there, unchanged, in the same run.
                    and last_values == tuple(float(values[points - 1]) for values in series)):
                return False
        self._drawn_to = now
        return True

    def forget_drawn(self) -> None:
        """The next history is drawn whatever it holds (a reset, an opened session)."""
        self._drawn_to = None

    def _show_objective(self, objective, equilibrium, smoothing: float) -> None:
        raise NotImplementedError

    def clear_history(self) -> None:
        """Empty curves, for a new run with nothing recorded yet."""
        for curve in self.history_curves:
            curve.setData([], [])
        self.forget_drawn()

    def _follow(self, steps: np.ndarray) -> None:
        # The range grows in round steps (1, 2, 5 x 10^n), not with every iteration: a
        # range that moves every frame makes pyqtgraph lay out the axis ticks anew each
        # time, which was the largest part of a frame's cost.
        last = max(float(steps[-1]) if len(steps) else 0.0, self.x_floor)
        top = nice_step(max(100.0, last), 1)  # the smallest 1, 2 or 5 x 10^n above
        if top != self._x_top:
            self._x_top = top
            self.setXRange(0, top, padding=0.02)


def _place(line: pg.InfiniteLine, value: float | None, label: str) -> None:
    """Move a reference line to ``value`` (hide it where the objective has none)."""
    line.setVisible(value is not None)
    if value is not None:
        line.setValue(value)
        line.label.setFormat(label)


class LossesPlot(_HistoryPlot):
    def __init__(self) -> None:
        super().__init__("Losses (adversarial terms only)", "loss")
        self.loss_d = self.plot(pen=style.history_pen(style.LOSS_D), name="D loss")
        self.loss_g = self.plot(pen=style.history_pen(style.LOSS_G), name="G loss")
        self.history_curves = (self.loss_d, self.loss_g)
        self.loss_d_line = reference_line(0.0, "", style.LOSS_D)
        self.loss_g_line = reference_line(0.0, "", style.LOSS_G)
        self.addItem(self.loss_d_line)
        self.addItem(self.loss_g_line)
        self._y_top = 0.0
        self._y_bottom = 0.0
        self.set_objective("nonsaturating", 0.0)

    def _show_objective(self, objective, equilibrium, smoothing: float) -> None:
        self.legend.getLabel(self.loss_d).setText(objective.loss_d_text)
        self.legend.getLabel(self.loss_g).setText(objective.loss_g_text)
        _place(self.loss_d_line, equilibrium.loss_d, equilibrium.loss_d_label)
        _place(self.loss_g_line, equilibrium.loss_g, equilibrium.loss_g_label)
        self._y_top = self._y_bottom = 0.0  # fit the new curves

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        self.loss_d.setData(history["step"], history["loss_d"])
        self.loss_g.setData(history["step"], history["loss_g"])
        self._follow(history["step"])
        # The y range covers the curves' recent values and both reference lines; it
        # only changes when the data leave it or use less than half of it.
        recent = np.concatenate((history["loss_d"][-200:], history["loss_g"][-200:]))
        recent = recent[np.isfinite(recent)]
        lines = [line.value() for line in (self.loss_d_line, self.loss_g_line)
                 if line.isVisible()]
        top = max([1.0, *lines, float(recent.max()) if len(recent) else 0.0])
        bottom = min([0.0, *lines, float(recent.min()) if len(recent) else 0.0])
        top, bottom = top + 0.15 * abs(top), bottom - 0.15 * abs(bottom)
        if (top > self._y_top or top < 0.5 * self._y_top or bottom < self._y_bottom
                or bottom > 0.5 * self._y_bottom):
            self._y_top, self._y_bottom = top, bottom
            self.setYRange(bottom, top, padding=0.0)


class DiscriminatorOutputPlot(_HistoryPlot):
    def __init__(self) -> None:
        super().__init__("Mean D output on each batch", "mean D")
        self.d_real = self.plot(pen=style.history_pen(style.REAL), name="D(real)")
        self.d_fake = self.plot(pen=style.history_pen(style.GENERATOR), name="D(fake) = D(G(z))")
        self.history_curves = (self.d_real, self.d_fake)
        self.equilibrium_line = reference_line(0.5, "0.5")
        self.addItem(self.equilibrium_line)
        self.setYRange(0.0, 1.0, padding=0.02)
        self._probability = True
        self._range = (0.0, 1.0)

    def _show_objective(self, objective, equilibrium, smoothing: float) -> None:
        d = objective.d_name
        self.setTitle(f"Mean {d} output on each batch")
        self.setLabel("left", f"mean {d}" + ("" if objective.d_is_probability else " (raw)"))
        self.legend.getLabel(self.d_real).setText(f"{d}(real)")
        self.legend.getLabel(self.d_fake).setText(f"{d}(fake) = {d}(G(z))")
        label = f"{equilibrium.d_output:g}" if equilibrium.d_output is not None else ""
        if smoothing and objective.uses_smoothing():
            label += " (label smoothing)"
        _place(self.equilibrium_line, equilibrium.d_output, label)
        self._probability = objective.d_is_probability
        self._range = (0.0, 1.0)
        if self._probability:
            self.setYRange(0.0, 1.0, padding=0.02)

    def show_history(self, history: dict[str, np.ndarray]) -> None:
        self.d_real.setData(history["step"], history["d_real"])
        self.d_fake.setData(history["step"], history["d_fake"])
        self._follow(history["step"])
        if not self._probability:  # critic values: fit them, changing the range rarely
            recent = np.concatenate((history["d_real"][-200:], history["d_fake"][-200:]))
            new_range = style.sticky_range(recent, self._range, min_span=0.5, margin=0.25)
            if new_range is not None:
                self._range = new_range
                self.setYRange(*new_range, padding=0.0)


def show_training_curves(losses: LossesPlot, d_outputs: DiscriminatorOutputPlot,
                         snapshot, running: bool = True) -> None:
    """The losses and D's outputs of a frame, with the lines of its objective; while
    ``running``, curves that would not move by a pixel are left as they are."""
    s = snapshot.settings
    losses.set_objective(s["loss"], s["label_smoothing"])
    d_outputs.set_objective(s["loss"], s["label_smoothing"])
    history = snapshot.history
    if not len(history["step"]):  # a new run: nothing recorded yet
        for plot in (losses, d_outputs):
            plot.clear_history()
    else:
        for plot in (losses, d_outputs):
            if plot.take_news(history, every_point=not running):
                plot.show_history(history)


JS_FLOOR = 1e-4  # the log axis's bottom: JS of 0 is drawn here


class ConvergencePlot(_HistoryPlot):
    """JS(p_data || p_g) in bits on a log axis; V(D, G) on the right with its floor -log 4."""

    def __init__(self) -> None:
        super().__init__("Divergence and game value", "JS divergence (bits, log)")
        self.setLogMode(x=False, y=True)
        self.setYRange(-4, 0, padding=0.02)
        self.js = self.plot(pen=style.history_pen(style.DIVERGENCE), name="JS(p_data ‖ p_g), bits")
        # A log axis: pyqtgraph places lines on it in log10 units.
        self.threshold = reference_line(
            math.log10(JS_CONVERGED_BITS), f"converged below {JS_CONVERGED_BITS:g}",
            style.DIVERGENCE)
        # At the right end, where the run has mostly not reached yet; the value's floor,
        # at about the same height, has its label at the left end.
        self.threshold.label.anchors = [(1, 1), (1, 1)]  # above: JS near it lies below
        self.threshold.label.setPosition(0.97)
        self.addItem(self.threshold)
        self.value_box = style.RightAxisBox(self, "V(D, G)", style.VALUE)
        self.side_boxes.append(self.value_box)
        self.getAxis("right").setLogMode(False, False)  # the value's axis stays linear
        self.value = pg.PlotCurveItem(pen=style.history_pen(style.VALUE))
        self.value_box.addItem(self.value)
        self.floor = reference_line(-math.log(4.0), "−log 4", style.VALUE)
        self.floor.label.anchors = [(0, 0), (0, 1)]  # left-aligned, inside the plot
        self.floor.label.setPosition(0.03)
        self.value_box.addItem(self.floor)
        self.legend.addItem(self.value, "V(D, G), right axis")
        self._objective: str | None = None
        self._value_range = (0.0, 0.0)

    def attach(self) -> None:
        self.value_box.attach()

    def set_objective(self, name: str) -> None:
        if name == self._objective:
            return
        self._objective = name
        axis = self.getAxis("right")
        # The right axis's label is short: the whole formula, rotated beside the window's
        # edge on a plot a third of its width, was cut. The tooltip has it.
        if name == "wgan-gp":
            axis.setLabel("W estimate", color=f"rgb{style.VALUE}")
            self.setToolTip("Right axis: the Wasserstein estimate E C(real) − E C(fake)")
            self.legend.getLabel(self.value).setText("Wasserstein estimate, right axis")
            self.floor.setValue(0.0)
            self.floor.label.setFormat("0")
        else:
            axis.setLabel("V(D, G)", color=f"rgb{style.VALUE}")
            self.setToolTip("Right axis: the game's value V(D, G) = E log D(x) + "
                            "E log(1 − D(G(z))), at least −log 4, reached at the equilibrium")
            self.legend.getLabel(self.value).setText(
                "V(D, G), right axis" if name in ("minimax", "nonsaturating")
                else f"V(D, G): undefined for {name}")
            self.floor.setValue(-math.log(4.0))
            self.floor.label.setFormat("−log 4")
        shown = name in ("minimax", "nonsaturating", "wgan-gp")
        self.value.setVisible(shown)
        self.floor.setVisible(shown)
        self._value_range = (0.0, 0.0)

    def show_history(self, history: dict[str, np.ndarray], evaluation=None) -> None:
        steps = history["step"]
        self.js.setData(steps, np.maximum(history["js_bits"], JS_FLOOR))
        value = history["value"]
        self.value.setData(steps, value, connect="finite")
        self._follow(steps)
        if self.value.isVisible():  # the range holds the recent values and the floor
            recent = np.append(value[-200:], self.floor.value())
            new_range = style.sticky_range(recent, self._value_range, min_span=0.2, margin=0.15)
            if new_range is not None:
                self._value_range = new_range
                self.value_box.setYRange(*new_range, padding=0.0)

    def clear(self) -> None:
        for curve in (self.js, self.value):
            curve.setData([], [])
