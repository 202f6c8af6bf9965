"""One view per mode ("1d", "2d", "mnist"), each drawing what the trainer sends.

Every view answers the same small protocol, :class:`View`: the window and its presenter
never reach into a view's plots, and a view keeps the data it is sent only once.
"""

from __future__ import annotations

from typing import Protocol


class View(Protocol):
    def receive(self, snapshot) -> None:
        """Every frame as it arrives, drawn or not (the draw rate is bounded, so frames are
        dropped): keep what the trainer sends only once, such as a dataset's real sample or
        a run's real digits, and fill it into the frames that lack it."""

    def show_frame(self, snapshot, running: bool) -> None:
        """Draw a frame's curves and pictures; while ``running``, changes smaller than a
        pixel may be left undrawn."""

    def show_evaluation(self, evaluation, history: dict) -> None:
        """Draw an evaluation of the view's mode and the evaluations' ``history`` (arrays
        by name); a view with none (MNIST) ignores it."""

    def show_timeline(self, timeline, faded: tuple) -> None:
        """Mark the moment the views show (``timeline.viewing``, None: live) on the curves
        over iterations, and draw the other branches' curves (``faded``) behind them."""

    def set_scale(self, scale: float) -> None:
        """Fonts and line widths of every plot at ``scale`` times their size (1: as built);
        presentation mode sets it for a lecture hall."""

    def clear(self) -> None:
        """A new run (Reset, a preset, a session): drop what was drawn of the old one, so
        that the next frame's curves are drawn whatever they hold."""
