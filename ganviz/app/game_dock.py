"""The game panel: the model diagram with the live numbers, and slow motion below it.

A dock on the window's right, opened from View > Model diagram (M). View > Slow motion (N)
pauses training and walks through the run's next iteration part by part: the panel tells
it (app/slow_motion.py), the diagram lights the part told, the 1-D and 2-D plots mark the
batches, D before and after, G's push and the moved fakes (views/narration_marks.py).
Starting training again leaves slow motion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ganviz.app.diagram import GameDiagram
    from ganviz.app.main_window import MainWindow
    from ganviz.app.slow_motion import SlowMotionPanel


class GameDock(QDockWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__("The game", window)
        self.window_ = window
        self.setObjectName("game")  # saveState needs a name
        self.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea
                             | Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setMinimumWidth(260)
        self.diagram: GameDiagram | None = None  # built when first shown (see _build)
        self.panel: SlowMotionPanel | None = None
        self.slow = False
        self._actions(window)
        self.setVisible(False)
        self.visibilityChanged.connect(lambda shown: shown and self._build())

    def _build(self) -> None:
        """The diagram and the panel, made the first time the dock shows: the window's
        start (its first paint races the trainer's first frame) does not wait for them."""
        if self.diagram is not None:
            return
        from ganviz.app.diagram import GameDiagram
        from ganviz.app.slow_motion import SlowMotionPanel

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.diagram = GameDiagram()
        self.panel = SlowMotionPanel()
        self.panel.setVisible(self.slow)
        layout.addWidget(self.diagram, 1)
        layout.addWidget(self.panel)
        self.setWidget(body)
        self.panel.next_iteration_wanted.connect(self._ask_next)
        self.panel.part_shown.connect(self._show_part)

    def _actions(self, window: MainWindow) -> None:
        self.diagram_action = self.toggleViewAction()
        self.diagram_action.setText("Model diagram")
        self.diagram_action.setShortcut(QKeySequence(Qt.Key.Key_M))
        self.diagram_action.setToolTip("The game's boxes and arrows with the live numbers "
                                       "(M)")
        self.slow_action = QAction("Slow motion", window, checkable=True)
        self.slow_action.setShortcut(QKeySequence(Qt.Key.Key_N))
        self.slow_action.setToolTip("Pause, and walk through the next iteration part by "
                                    "part, narrated with the run's numbers (N)")
        self.slow_action.toggled.connect(self.set_slow_motion)
        self.next_action = QAction("Next part", window, shortcut=QKeySequence(Qt.Key.Key_Period))
        self.next_action.setToolTip("In slow motion: the next part; after the last, the next "
                                    "iteration (.)")
        self.next_action.triggered.connect(lambda: self.slow and self.panel.forward())
        self.back_action = QAction("Part before", window, shortcut=QKeySequence(Qt.Key.Key_Comma))
        self.back_action.setToolTip("In slow motion: the part before (,)")
        self.back_action.triggered.connect(lambda: self.slow and self.panel.back())
        for action in (self.diagram_action, self.slow_action, self.next_action,
                       self.back_action):
            window.addAction(action)

    # ------------------------------------------------------------------------ the window
    def show_frame(self, frame) -> None:
        if self.isVisible() and self.diagram is not None:
            from ganviz.app.diagram import DiagramNumbers

            self.diagram.show_numbers(DiagramNumbers.from_frame(frame))
            if not self.slow:  # running, both networks take turns too fast to tell apart
                self.diagram.light({"grad_d", "grad_g"} if frame.running else ())

    def set_slow_motion(self, on: bool) -> None:
        if on == self.slow:
            return
        self.slow = on
        self.slow_action.setChecked(on)
        if on:
            self.open_narrow()
            self._build()  # also when the dock is shown but never was on the screen
        if self.panel is not None:
            self.panel.setVisible(on)
        if on:
            self.window_.set_running(False)
            self.panel.forget()
            self.panel.forward()  # the next iteration, at once
        else:
            if self.panel is not None:
                self.panel.stop()
            self._clear_marks()

    def open_narrow(self) -> None:
        """Shown at 280 pixels: the plots keep most of a 1366-pixel screen."""
        if not self.isVisible():
            self.setVisible(True)
            self.window_.resizeDocks([self], [280], Qt.Orientation.Horizontal)

    def training_started(self) -> None:
        """Start pressed: training goes on at full speed, not narrated."""
        self.set_slow_motion(False)

    def new_run(self) -> None:
        """Reset, a preset or a session: the iterations told were another run's."""
        self._clear_marks()
        if self.slow and self.panel is not None:
            self.panel.forget()

    def take_narrated(self, narrated) -> None:
        if self.slow and self.panel is not None:
            self.panel.take(narrated)

    # -------------------------------------------------------------------------- inside
    def _ask_next(self) -> None:
        worker = self.window_.training_worker
        if worker is not None and worker.isRunning():
            worker.request_narrated_step()
        elif self.panel is not None:
            self.panel.waiting = False

    def _show_part(self, narrated, index: int) -> None:
        told = narrated.parts[index]
        self.diagram.light(told.lit)
        for mode, view in self.window_.views.items():
            if mode == narrated.mode:
                view.show_narration(narrated, told.key)
            else:
                view.clear_narration()

    def _clear_marks(self) -> None:
        if self.diagram is not None:
            self.diagram.light(())
        for view in self.window_.views.values():
            view.clear_narration()
