"""What the window reads and writes: sessions, exports, recordings, and training data.

Each operation has two halves: one that asks (a file dialog) and one that does the work on
a path, which tests and the command line call directly. Results and refusals are shown as
status-bar messages; the trainer's answers come back through the window's signals.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog

from ganviz.core import presets
from ganviz.core.images.sources import CELEBA_HINT, data_kind, downloaded, needs_folder

if TYPE_CHECKING:
    from ganviz.app.main_window import MainWindow


class FileOperations(QObject):
    """The File and Data menus' work, for ``window``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        # Between asking the trainer to open a session and its answer, the settings the
        # window shows are about to be replaced: changes wait (see busy_opening).
        self.opening_session = False
        self.recorder = None  # built on first use (it imports imageio)
        self.replay = None  # the timeline replay in progress or last made

    # ------------------------------------------------------------------------ sessions
    def save_session_as(self, with_timeline: bool = True) -> None:
        window = self.window
        title = "Save session" if with_timeline else "Save session without the timeline"
        path, _ = QFileDialog.getSaveFileName(window, title, f"{window.preset}.ganviz",
                                              "ganviz sessions (*.ganviz)")
        if path:
            self.save_session(path, with_timeline)

    def save_session(self, path: str, with_timeline: bool = True) -> None:
        if not path.endswith(".ganviz"):
            path += ".ganviz"
        self.window.training_worker.request_save(path, with_timeline)

    def open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open session", "",
                                              "ganviz sessions (*.ganviz);;All files (*)")
        if path:
            self.load_session(path)

    def load_session(self, path: str) -> None:
        """Continue the run saved in ``path``; a bad file leaves the current run as it is."""
        if self.busy_opening() or self.window.compare.refuses("Opening a session"):
            return
        self.window.set_running(False)
        self.opening_session = True
        self.window.training_worker.request_load(path)

    def session_loaded(self, preset: str, settings: dict, custom) -> None:
        """The trainer opened a session: its run, settings and custom points are the run's."""
        window = self.window
        self.opening_session = False
        if custom is not None:
            window.custom_points = custom
            window.controls.show_custom_data(custom[1])
        window.ledger.settle(settings)  # the trainer's own word, as a frame's would be
        window.show_run(preset, settings)
        window.clear_curves()
        window.presenter.coach.judge_next_alone()  # a converged example says so at once
        window.set_running(False)

    def session_failed(self, message: str) -> None:
        self.opening_session = False
        self.window.show_message(message)

    def busy_opening(self) -> bool:
        """True (and says so) while a session is being opened: a change made now would be
        applied to the session's run but not shown, or the other way round."""
        if self.opening_session:
            self.window.show_message("Opening a session: try again in a moment")
        return self.opening_session

    def restore_defaults(self, confirm: bool = True) -> None:
        """The preset's default settings and the default window size, after a question
        when a run would be lost; what the window remembered is forgotten."""
        from PySide6.QtWidgets import QMessageBox

        from ganviz.app import remembered

        window = self.window
        frame = window.latest_frame
        if confirm and frame is not None and frame.snapshot.step > 0:
            answer = QMessageBox.question(
                window, "Restore defaults",
                f"Restore the default settings of {window.preset}? The current run "
                f"(iteration {frame.snapshot.step:,}) starts afresh; save it first with "
                f"File > Save session to keep it.")
            if answer != QMessageBox.StandardButton.Yes:
                return
        remembered.forget()
        window.show_default_size()
        window.choose_preset(window.preset)
        window.show_message(f"Default settings of {window.preset} restored")

    # ------------------------------------------------------------------------- exports
    def current_plots(self) -> dict:
        """The plots of the page shown, by title, for exports."""
        window = self.window
        page = {"1d": window.toy1d, "2d": window.toy2d.graphics,
                "mnist": window.images}[window.mode]
        plots = {}
        for item in page.ci.items:
            if isinstance(item, pg.PlotItem):
                name = getattr(item, "export_name", "") or item.titleLabel.text
                plots[name or "plot"] = item
        return plots

    def export_plot_dialog(self) -> None:
        from ganviz.app.dialogs.export_plot import ExportPlotDialog

        window = self.window
        dialog = ExportPlotDialog(list(self.current_plots()), window)
        if dialog.exec():
            title, width = dialog.choice()
            path, _ = QFileDialog.getSaveFileName(
                window, "Export plot", f"{window.preset}-plot.png",
                "PNG image (*.png);;SVG (*.svg)")
            if path:
                self.export_plot(title, path, width)

    def export_plot(self, title: str, path: str, width: int = 1600) -> None:
        from ganviz.app.exports import export_plot

        try:
            written = export_plot(self.current_plots()[title], path, width)
        except (OSError, KeyError, RuntimeError) as error:
            self.window.show_message(f"Not exported: {error}")
            return
        self.window.show_message(f"Exported '{title}' to {written.name}")

    def export_metrics_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export metrics",
                                              f"{self.window.preset}.csv",
                                              "CSV (*.csv);;JSON lines (*.jsonl)")
        if path:
            self.export_metrics(path)

    def export_metrics(self, path: str) -> None:
        from ganviz.core.export import metrics_rows, write_metrics

        window = self.window
        frame = window.latest_frame
        if frame is None:
            window.show_message("Nothing to export yet: no iteration has run")
            return
        columns, rows = metrics_rows(frame.snapshot.history,
                                     window.presenter.evaluation_history.as_arrays(),
                                     window.mode)
        try:
            written = write_metrics(path, columns, rows)
        except OSError as error:
            window.show_message(f"Not exported: {error.strerror or error}")
            return
        window.show_message(f"Exported {len(rows):,} rows of metrics to {written.name}")

    # ----------------------------------------------------------------------- recording
    def _recorder(self):
        if self.recorder is None:
            from ganviz.app.exports import Recorder

            self.recorder = Recorder(self.window.stack)
            self.recorder.changed.connect(self._show_recording)
        return self.recorder

    def set_recording(self, on: bool) -> None:
        recorder = self._recorder()
        if on:
            recorder.start()
            self.window.show_message("Recording the plots…")
        else:
            recorder.stop()
            self._show_recording()

    def set_recording_rate(self, fps: int) -> None:
        for rate, action in self.window.recording_rate_actions.items():
            action.setChecked(rate == fps)
        self._recorder().set_fps(fps)

    def _show_recording(self) -> None:
        frames = self.recorder.frames
        self.window.save_recording_action.setEnabled(bool(frames))
        self.window.record_action.setText(
            f"Record ({len(frames)} frames, {self.recorder.memory_bytes() / 1e6:.0f} MB)"
            if frames else "Record")

    def save_recording_as(self) -> None:
        from ganviz.app.exports import mp4_available

        kinds = "GIF animation (*.gif)" + (";;MP4 video (*.mp4)" if mp4_available() else "")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save recording",
                                              f"{self.window.preset}.gif", kinds)
        if path:
            self.save_recording(path)

    def save_recording(self, path: str) -> None:
        recorder = self._recorder()
        try:
            written = recorder.save(path)
        except (OSError, ValueError, RuntimeError) as error:
            self.window.show_message(f"Not saved: {error}")
            return
        self.window.show_message(f"Saved {len(recorder.frames)} frames to {written.name}")

    # -------------------------------------------------------------------------- replay
    def export_replay_as(self) -> None:
        from ganviz.app.exports import mp4_available

        kinds = "GIF animation (*.gif)" + (";;MP4 video (*.mp4)" if mp4_available() else "")
        path, _ = QFileDialog.getSaveFileName(self.window, "Export timeline replay",
                                              f"{self.window.preset}-replay.gif", kinds)
        if path:
            self.export_replay(path, with_progress=True)

    def export_replay(self, path: str, steps: list[int] | None = None,
                      with_progress: bool = False):
        """Write the snapshots of the current branch (or ``steps``) as an animation; the
        Replay is returned (it finishes later, the window saying what it wrote)."""
        from ganviz.app.replay import Replay

        window = self.window
        if steps is None:
            steps = list(window.timeline_bar.track.steps)
        if self.replay is not None and self.replay.done:
            self.replay.deleteLater()  # the last one, written: nothing of it is needed
        replay = Replay(window, steps, path)
        replay.finished.connect(window.show_message)
        if with_progress and steps:
            from PySide6.QtWidgets import QProgressDialog

            dialog = QProgressDialog("Drawing each snapshot…", "Cancel", 0, len(steps), window)
            dialog.setWindowTitle("Timeline replay")
            dialog.setMinimumDuration(500)
            replay.progress.connect(lambda done, _total: dialog.setValue(done))
            dialog.canceled.connect(replay.cancel)
            replay.finished.connect(lambda _text: (dialog.reset(), dialog.deleteLater()))
        self.replay = replay
        replay.start()
        return replay

    # ---------------------------------------------------------------------------- data
    def download_mnist(self) -> None:
        self.download_dataset("mnist")

    def download_dataset(self, name: str, then=None) -> None:
        """Download ``name`` ("mnist", "fashion-mnist", "cifar10") with a progress dialog;
        ``then`` after it ends, whichever way."""
        from ganviz.app.dialogs.download import DownloadDialog

        dialog = DownloadDialog(self.window, name)
        dialog.finished_with.connect(self.window.show_message)
        if then is not None:
            dialog.finished_with.connect(lambda _message: then())
        dialog.start()

    def offer_download(self, preset, then=None) -> None:
        """``preset`` trains on a standard set not downloaded yet: ask, download it with a
        progress dialog, and ``then`` once it is there."""
        from PySide6.QtWidgets import QMessageBox

        from ganviz.core.images.download import dataset

        files = dataset(data_kind(preset))
        answer = QMessageBox.question(
            self.window, f"Download {files.title}?",
            f"{preset.name} trains on {files.title} ({files.holds}), which is not in your "
            f"cache yet. Download it now ({files.size / 1e6:.0f} MB, checked by size and MD5)?")
        if answer != QMessageBox.StandardButton.Yes:
            self.window.show_message(f"{preset.name} needs {files.title}: Data > Download "
                                     f"{files.title}…")
            return
        self.download_dataset(files.name, then=lambda: then() if then is not None and
                              downloaded(preset) else None)

    def open_mnist_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Folder with MNIST IDX files")
        if folder:
            self.use_mnist_folder(folder)

    def use_mnist_folder(self, folder: str) -> None:
        """Train MNIST presets on the IDX files in ``folder``, if they read correctly."""
        from ganviz.core.mnist import data as mnist

        window = self.window
        try:
            data = mnist.load_dir(folder)
        except mnist.DataError as error:
            window.show_message(f"Not used: {error}")
            return
        window.data_dirs["mnist"] = folder
        window.show_message(f"MNIST presets now train on {len(data):,} digits from {folder}")
        if window.data_dir == folder:
            window.reset()

    def open_image_folder(self, preset=None, then=None) -> None:
        """Ask for a folder of pictures for ``preset`` (default: the run's, if it trains on
        pictures, else s5-dcgan) and prepare it; ``then`` follows once it is ready."""
        window = self.window
        if preset is None:
            current = presets.get(window.preset)
            preset = current if needs_folder(current) else presets.get("s5-dcgan")
        folder = QFileDialog.getExistingDirectory(
            window, f"Folder of PNG or JPEG pictures for {preset.name} (searched with its "
                    f"subfolders)")
        if not folder:
            window.show_message(f"{preset.name} needs a folder of pictures. {CELEBA_HINT}.")
            return
        self.use_image_folder(folder, preset, then)

    def use_image_folder(self, folder: str, preset, then=None) -> None:
        """Prepare ``folder`` at ``preset``'s size (a progress dialog; once, then cached);
        if it holds readable pictures, presets that train on pictures use it."""
        from ganviz.app.dialogs.prepare_folder import PrepareFolderDialog

        window = self.window
        dialog = PrepareFolderDialog(folder, preset.image_size, preset.channels, window)

        def prepared(success: bool, line: str) -> None:
            window.show_message(line if not success else
                                f"Presets that train on pictures now use {line}")
            if not success:
                return
            window.data_dirs["folder"] = folder
            if then is not None:
                then()
            elif window.data_dir == folder:
                window.reset()

        dialog.prepared.connect(prepared)
        dialog.start()

    def draw_points(self) -> None:
        from ganviz.app.dialogs.draw import DrawDialog

        dialog = DrawDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.points_ready.connect(
            lambda points: self.use_points(points, f"{len(points):,} points drawn by hand"))
        dialog.open()

    def open_points_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "2-D points", "",
                                              "Points (*.csv *.npy);;All files (*)")
        if path:
            self.load_points_file(path)

    def load_points_file(self, path: str) -> None:
        """Train 2-D presets on the points in ``path``, if it reads correctly."""
        from ganviz.core.toy2d.points import PointsError, load_points

        try:
            points = load_points(path)
        except PointsError as error:
            self.window.show_message(f"Not used: {error}")
            return
        self.use_points(points, f"{len(points):,} points from {Path(path).name}")

    def use_points(self, points, description: str) -> None:
        """Make ``points`` the 2-D custom dataset and train on it (switching to ring8's
        game first when a 1-D or MNIST preset is shown)."""
        window = self.window
        window.custom_points = (points, description)
        window.controls.show_custom_data(description)  # the preset box says whose data
        window.training_worker.request_points(points, description)
        if window.mode != "2d" and presets.get(window.preset).mode != "2d":
            window.choose_preset("ring8")
        window.change_setting("dataset", "custom")
        window.show_message(f"Custom 2-D data: {description}")
