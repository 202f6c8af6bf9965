"""The main window: controls on the left, live plots in the middle, rates below.

It assembles the parts and keeps the run's life: :mod:`~ganviz.app.actions` builds the
toolbar and menus, :mod:`~ganviz.app.file_operations` reads and writes files, the
:class:`~ganviz.app.presenter.Presenter` draws what arrives through the mode's view, and
the trainer (behind :class:`~ganviz.app.worker.TrainingWorker`) owns the settings.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from ganviz.app import actions, screen_fit
from ganviz.app.coach_line import CoachLine
from ganviz.app.compare.mode import CompareMode
from ganviz.app.controls import ControlPanel, SettingsLedger
from ganviz.app.file_operations import FileOperations
from ganviz.app.game_dock import GameDock
from ganviz.app.latent_explorer import LatentDock
from ganviz.app.presenter import Presenter
from ganviz.app.timeline_bar import TimelineBar
from ganviz.app.views.pages import ModePages
from ganviz.app.worker import FRAME_INTERVAL_S, EvaluationWorker, Frame, TrainingWorker
from ganviz.core import config, presets
from ganviz.core.images.sources import data_kind, downloaded, needs_folder


def _forward(path: str) -> property:
    """A read-only attribute (or a method) of one of the window's parts, by the window's
    name for it."""
    part, name = path.split(".")
    return property(lambda self: getattr(getattr(self, part), name))


class MainWindow(QMainWindow):
    def __init__(self, preset: str = presets.DEFAULT_PRESET, overrides: dict | None = None,
                 frame_interval: float = FRAME_INTERVAL_S, data_dir: str | None = None,
                 launched=None, custom_points: tuple | None = None) -> None:
        """``launched``: a :class:`~ganviz.core.remote.TrainerProcess` already started for
        this preset and these settings (``ganviz`` starts it before importing Qt)."""
        super().__init__()
        self.setWindowTitle("ganviz")
        self.resize(screen_fit.starting_size(self))  # never larger than the screen's free area
        self.preset = presets.get(preset).name
        self.mode = presets.get(preset).mode
        self.ledger = SettingsLedger({**presets.get(preset).settings(), **(overrides or {})})
        # The folder each kind of image data is read from (core/images/sources.py): an
        # MNIST folder, a folder of pictures; the default where none is given.
        self.data_dirs: dict[str, str] = {} if data_dir is None else {
            data_kind(presets.get(preset)): str(data_dir)}
        self.frame_interval = frame_interval
        self.custom_points: tuple | None = custom_points  # (points, description), 2-D custom
        self.divergence_box = None  # the "Training diverged" question, while one is open
        # The training process first: importing torch there is the longest wait before the
        # first frame, and it overlaps with building the window here.
        self.training_worker: TrainingWorker | None = None
        self.files = FileOperations(self)
        self._start_training_worker(launched)
        pg.setConfigOptions(antialias=False, background="w", foreground=(40, 40, 40))
        self.presenter = Presenter(lambda mode: self.stack.view(mode), self.statusBar(),
                                   parent=self)
        self.stack = ModePages(self.presenter.verdict)
        self.timeline_bar = TimelineBar()
        self._build_centre()
        self.game = GameDock(self)  # the model diagram and slow motion (View menu)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.game)
        self.presenter.show_numbers = self.game.show_frame
        self.compare = CompareMode(self)  # variants side by side, in the centre's place
        self.latent = LatentDock(self)  # MNIST: walk the latent space from grid digits
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.latent)
        actions.install(self)
        self._show_mode(self.mode)
        self._build_controls()
        self.presenter.show_pending = self.controls.show_pending
        if self.mode == "1d":  # the target at once: the trainer needs seconds to load torch
            self.toy1d.preview_target(self.settings)
        self.evaluation_worker = EvaluationWorker(self)
        self.evaluation_worker.evaluated.connect(self.presenter.take_evaluation)
        self.evaluation_worker.failed.connect(self._on_failure)
        # Started with the first 1-D or 2-D frame: its torch import would compete with the
        # training process's for the cores while the window waits for that frame.
        self._evaluation_started = False
        self._closed = False
        self._past_submitted: tuple | None = None  # the past moment sent to be evaluated

    # Parts under the names tests, the benchmark and older code use.
    settings = _forward("ledger.settings")  # what the trainer uses, as it last said
    latest_frame = _forward("presenter.latest_frame")
    latest_evaluation = _forward("presenter.latest_evaluation")
    drawn = _forward("presenter.drawn")
    verdict_label = _forward("presenter.verdict")
    recorder = _forward("files.recorder")
    _opening_session = _forward("files.opening_session")  # read by the stress test
    status = _forward("presenter.status")
    running = _forward("presenter.training")  # the user asked to train
    views = _forward("stack.views")  # the views built so far, by mode
    toy1d = property(lambda self: self.stack.view("1d"))
    toy2d = property(lambda self: self.stack.view("2d"))
    images = property(lambda self: self.stack.view("mnist"))
    densities = property(lambda self: self.toy1d.densities)
    losses = property(lambda self: self.toy1d.losses)
    d_outputs = property(lambda self: self.toy1d.d_outputs)
    frames_per_second = _forward("presenter.frames_per_second")

    # ------------------------------------------------------------------------- building
    def _show_mode(self, mode: str) -> None:
        self.mode = mode
        self.stack.show_mode(mode)
        self.real_digits_action.setVisible(mode == "mnist")
        self.latent.show_mode(mode)
        if mode == "mnist" and not self.latent.connected:
            self.latent.connected = True
            self.images.cell_clicked.connect(self.latent.cell_clicked)
            self.latent.explorer.selection_changed.connect(self.images.cell_marks.show)
            self.images.digit_bar.chosen.connect(lambda d: self.change_setting("digit", d))

    def _build_centre(self) -> None:
        """The mode's page, and under it the timeline: drag it to see a past moment in
        every view while training goes on, branch from one, switch branches."""
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 2)
        layout.setSpacing(2)
        layout.addWidget(self.stack, 1)
        self.coach_line = CoachLine()
        self.coach_line.apply_requested.connect(self.apply_suggestion)
        self.presenter.show_diagnosis = self.coach_line.show_diagnosis
        layout.addWidget(self.coach_line)
        layout.addWidget(self.timeline_bar)
        self.central_pages = QStackedWidget()  # the run, or the compare mode's page
        self.central_pages.addWidget(centre)
        self.setCentralWidget(self.central_pages)
        bar = self.timeline_bar
        # Through the worker of the moment: a failed trainer is replaced by a new one.
        bar.moment_chosen.connect(lambda step: self.training_worker.request_view_at(step))
        bar.branch_requested.connect(lambda step: self.training_worker.request_branch(step))
        bar.branch_switched.connect(
            lambda number: self.training_worker.request_switch_branch(number))

        def show_timeline(view, verdicts) -> None:
            bar.show_timeline(view)
            bar.set_verdicts([step for step, _ in verdicts], [v for _, v in verdicts])

        self.presenter.show_timeline = show_timeline

    def _build_controls(self) -> None:
        self.controls = ControlPanel(self.preset, self.settings)
        self.controls.show_mode(self.mode)
        self.controls.setting_changed.connect(self.change_setting)
        self.controls.preset_chosen.connect(self.choose_preset)
        self.controls.message.connect(self.show_message)
        self.controls.pretrain_requested.connect(self.pretrain_discriminator)
        self.controls.show_custom_data(None if self.custom_points is None
                                       else self.custom_points[1])
        self.controls_dock = self.controls.in_dock(self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.controls_dock)

    def _start_training_worker(self, launched=None) -> None:
        """A new training process (unless ``launched`` is one), given the settings asked for;
        it counts the settings commands it handles from zero."""
        self.ledger.restart()
        worker = TrainingWorker(self.preset, self.settings, self.frame_interval, self,
                                data_dir=self.data_dir, launched=launched,
                                custom=self.custom_points)
        worker.frame_ready.connect(self._on_frame)
        worker.narrated.connect(lambda narrated: self.game.take_narrated(narrated))
        worker.explored.connect(lambda explored: self.latent.explorer.show_explored(explored))
        worker.settings_rejected.connect(self.show_refusal)
        worker.notice.connect(self.show_message)
        worker.diverged.connect(self._on_divergence)
        worker.session_loaded.connect(self.files.session_loaded)
        worker.session_failed.connect(self.files.session_failed)
        worker.failed.connect(self._on_failure)
        self.training_worker = worker
        worker.start()

    # -------------------------------------------------------------------------- intents
    def enable_actions(self, enabled: bool) -> None:
        actions.enable_run_actions(self, enabled)

    def toggle_running(self) -> None:
        if self.compare.active:  # Space pauses what is shown
            self.compare.toggle_running()
            return
        self.set_running(not self.running)

    def set_running(self, running: bool) -> None:
        if running:
            self.game.training_started()  # full speed: slow motion ends
        self.presenter.training = running
        actions.show_running(self, running, self.latest_frame is not None)
        if self.training_worker is not None:
            self.training_worker.set_running(running)

    def step_once(self) -> None:
        if not self.running and not self.compare.refuses("Step"):
            self.training_worker.request_step()

    def step_network(self, network: str) -> None:
        """One update of D ("d") or G ("g") alone: GAN Lab's single steps."""
        if not self.running and not self.compare.refuses(f"{network.upper()} step"):
            self.training_worker.request_network_step(network)

    def pretrain_discriminator(self) -> None:
        """S1's D_pre, now: fit D to the real pdf, then the game goes on."""
        steps = self.ledger.requested().get("d_pretrain_steps") or 1000
        self.training_worker.request_pretrain(steps)

    def restore_last_good_state(self) -> None:
        if not self.compare.refuses("Going back to the last good state"):
            self.training_worker.request_restore()

    @property
    def data_dir(self) -> str | None:
        """The folder the preset's images come from (None: as ganviz finds them)."""
        return self.data_dirs.get(data_kind(presets.get(self.preset)))

    def reset(self) -> None:
        if self.files.busy_opening() or self.compare.refuses("Reset"):
            return
        self.clear_curves()
        if self._evaluation_started and not self.evaluation_worker.isRunning():
            self.evaluation_worker.start()  # it failed on a state; the new run gets a fresh one
        if not self.training_worker.isRunning():  # the trainer failed: start a new one
            self.training_worker.stop()
            self.presenter.forget_frame()
            self.enable_actions(False)
            self.set_running(False)
            self._start_training_worker()
            return
        self.training_worker.request_reset(self.preset, self.ledger.requested(), self.data_dir)
        # Frames already on their way show the old run: the answer to an empty settings
        # command sent after the Reset is the first frame whose settings can be trusted.
        self._send_settings({})

    def apply_suggestion(self, changes: dict) -> None:
        """The coach's suggestion, one setting after another as if typed in the panel."""
        for name, value in changes.items():
            self.change_setting(name, value)

    def change_setting(self, name: str, value) -> None:
        """Ask the trainer for ``name`` = ``value``; the panel shows it at once, and the
        trainer's answer (a frame, perhaps a refusal) says what the run uses."""
        requested = self.ledger.requested()
        if self.files.busy_opening():
            self.controls.show_settings({name: requested[name]})  # keep what was there
            return
        try:  # the schema's own cross-field rule (a mixture's lists agree), checked here
            config.check_consistency({**requested, name: value})
        except config.SettingError as error:
            self.show_message(str(error))
            # At the field just edited (the message may name another one).
            self.controls.show_error(name, str(error).removeprefix(f"{name}: "))
            self.controls.show_settings({name: requested[name]})  # keep what was there
            return
        self.controls.show_settings({name: value})  # also when set by the program
        self._send_settings({name: value})

    def _send_settings(self, changes: dict) -> None:
        self.ledger.asked(changes)
        self.training_worker.request_settings(changes)

    def choose_preset(self, name: str) -> None:
        if self.files.busy_opening():
            self.controls.set_preset(self.preset)
            return
        chosen = presets.get(name)
        if needs_folder(chosen) and data_kind(chosen) not in self.data_dirs:
            # No pictures yet: ask for a folder; the preset is chosen once it is prepared.
            self.controls.set_preset(self.preset)
            self.files.open_image_folder(chosen, then=lambda: self.choose_preset(name))
            return
        if data_kind(chosen) not in self.data_dirs and not downloaded(chosen):
            self.controls.set_preset(self.preset)
            self.files.offer_download(chosen, then=lambda: self.choose_preset(name))
            return
        settings = presets.get(name).settings()
        self.ledger.ask_all(settings)
        self.show_run(name, settings)
        self.reset()  # the view switches when the first frame of the new preset arrives

    def show_run(self, preset: str, settings: dict) -> None:
        """Show ``preset`` and ``settings`` as the run's (a preset chosen, a session opened)."""
        self.preset = preset
        self.controls.set_preset(preset)
        self.controls.show_mode(presets.get(preset).mode)
        self.controls.show_settings(settings)
        self.presenter.forget_evaluation()

    def clear_curves(self) -> None:
        self.game.new_run()
        self.latent.explorer.clear()  # the grid's digits are another run's now
        self.presenter.clear(list(self.stack.views.values()))
        self.timeline_bar.show_timeline(None)

    def show_default_size(self) -> None:
        self.set_full_screen(False)
        self.full_screen_action.setChecked(False)
        self.resize(screen_fit.starting_size(self))
        screen_fit.fit_to_screen(self)

    def restoreGeometry(self, geometry) -> bool:
        """Qt's, then made to fit the screen: a geometry remembered on a larger screen (or
        a second one, gone since) would leave the window's edges out of reach."""
        restored = super().restoreGeometry(geometry)
        screen_fit.fit_to_screen(self)
        return restored

    def set_full_screen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def show_message(self, text: str) -> None:
        self.status.show_message(text)

    def show_refusal(self, text: str) -> None:
        """The trainer refused a change: said in the status bar, and at the setting's field
        when the message names one (a message there is gone in seconds)."""
        self.show_message(text)
        self.controls.show_refusal(text)

    # ------------------------------------------------------------------ worker results
    def _on_frame(self, frame: Frame) -> None:
        if self._closed:
            return
        self.training_worker.frame_consumed()
        first = self.latest_frame is None
        if self.ledger.answered_by(frame):  # every change sent is answered: the truth
            self.ledger.settle(frame.snapshot.settings)
            self.controls.show_differences(self.settings)
        if frame.snapshot.mode != self.mode:
            self._show_mode(frame.snapshot.mode)
        self.presenter.take_frame(frame)
        if frame.snapshot.mode == "mnist" and self.latent.isVisible():
            self.latent.explorer.refresh()  # the selection follows training
        if first:
            self.enable_actions(True)
            actions.show_running(self, self.running, True)
        if frame.snapshot.mode in ("1d", "2d"):
            if not self._evaluation_started:
                self._evaluation_started = True
                self.evaluation_worker.start()
            tag = Presenter.tag_of(frame)
            # A past moment is evaluated once: frames repeat it while the run goes on,
            # and carry the live run's state beside it, evaluated as usual.
            if tag is None or tag[1] is None or tag != self._past_submitted:
                self.evaluation_worker.submit(frame.snapshot.view, tag)
            self._past_submitted = tag if tag is not None and tag[1] is not None else None
            if frame.live_view is not None:
                self.evaluation_worker.submit(frame.live_view, (tag[0], None))

    def _on_divergence(self, what: str, kept_step: int) -> None:
        """The trainer paused on a NaN/Inf: say so, and offer the last good state."""
        if self._closed:
            return
        from ganviz.app.dialogs.diverged import ask_about_divergence

        self.set_running(False)
        self.show_message(f"Training paused: {what}")
        self.presenter.mark_diverged()
        ask_about_divergence(self, what, kept_step)

    def _on_failure(self, message: str) -> None:
        self.files.opening_session = False  # no answer will come from a stopped trainer
        self.set_running(False)
        self.show_message(f"Training stopped: {message}. Reset starts it again.")
        self.reset_action.setEnabled(True)
        self.presenter.request_draw()  # an evaluation left for a frame that will not come

    # ------------------------------------------------------------------------- closing
    def closeEvent(self, event) -> None:
        from ganviz.app import remembered

        # The settings asked for: a change made just before closing is the user's last word.
        remembered.remember(self.preset, self.ledger.requested(), self.saveGeometry())
        # Gone from the screen at once: stopping a trainer mid-iteration may take seconds.
        self.hide()
        self._closed = True  # frames still queued start nothing (an evaluation thread)
        self.presenter.stop()  # results still queued, or sent while the workers stop
        self.compare.close()
        if self.training_worker is not None:
            self.training_worker.stop()
        self.evaluation_worker.stop()
        super().closeEvent(event)


# The File and Data menus' work, by the names tests, the command line and older code use.
for _name in ("save_session", "load_session", "current_plots", "export_plot", "export_metrics",
              "set_recording", "set_recording_rate", "save_recording", "use_mnist_folder",
              "load_points_file", "use_points", "restore_defaults"):
    setattr(MainWindow, _name, _forward(f"files.{_name}"))
