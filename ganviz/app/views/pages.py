"""The window's central area: a page per mode, each built the first time it is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from ganviz.app.views import View
from ganviz.app.views.mnist import ImagesView
from ganviz.app.views.toy1d import Toy1DView
from ganviz.app.views.toy2d import Toy2DView

VIEW_CLASSES = {"1d": Toy1DView, "2d": Toy2DView, "mnist": ImagesView}


class ModePages(QStackedWidget):
    """One page per mode ("1d", "2d", "mnist"): its view, and for 1-D the verdict above.

    A mode's view is built the first time it is needed and then kept, so switching presets
    only switches the page shown; building all three at start-up delayed the first paint.
    """

    def __init__(self, verdict: QWidget) -> None:
        super().__init__()
        self.verdict = verdict  # the 1-D verdict banner, always visible above its plots
        self.views: dict[str, View] = {}
        self.pages: dict[str, QWidget] = {}
        self.real_digits_shown = True  # MNIST: real digits beside the generated ones
        self.scale = 1.0  # text and lines of every view (presentation mode)

    def view(self, mode: str) -> View:
        """The view of ``mode``, built on first use."""
        if mode not in self.views:
            view = VIEW_CLASSES[mode]()
            page = view
            if mode == "1d":
                page = QWidget()
                layout = QVBoxLayout(page)
                layout.setContentsMargins(0, 0, 0, 0)
                layout.setSpacing(0)
                layout.addWidget(self.verdict)
                layout.addWidget(view, 1)
            elif mode == "mnist":
                view.show_real(self.real_digits_shown)
                page = QWidget()  # a conditional preset's digit buttons above the view
                layout = QVBoxLayout(page)
                layout.setContentsMargins(0, 0, 0, 0)
                layout.setSpacing(0)
                layout.addWidget(view.digit_bar)
                layout.addWidget(view, 1)
            if self.scale != 1.0:
                view.set_scale(self.scale)
            self.views[mode] = view
            self.pages[mode] = page
            self.addWidget(page)
        return self.views[mode]

    def show_mode(self, mode: str) -> None:
        self.view(mode)
        self.setCurrentWidget(self.pages[mode])

    def show_real_digits(self, shown: bool) -> None:
        self.real_digits_shown = shown
        if "mnist" in self.views:
            self.views["mnist"].show_real(shown)

    def set_scale(self, scale: float) -> None:
        """Every view's text and lines at ``scale``, those built later too."""
        self.scale = scale
        for view in self.views.values():
            view.set_scale(scale)
