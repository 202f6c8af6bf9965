"""Download MNIST's full training split, Fashion-MNIST or CIFAR-10 with a progress dialog;
the window stays usable."""

from __future__ import annotations

from PySide6.QtCore import Signal

from ganviz.app.background import BackgroundThread
from ganviz.app.dialogs.background_progress import BackgroundProgressDialog
from ganviz.core.images import download
from ganviz.core.mnist import download as mnist_download


class _DownloadThread(BackgroundThread):
    progressed = Signal(object)  # mnist_download.ProgressInfo
    done = Signal(bool, str)  # success, message

    def __init__(self, parent=None, dataset: str = "mnist") -> None:
        super().__init__(parent, name="ganviz-download")
        self.cancelled = False
        self.dataset = download.dataset(dataset)

    def run(self) -> None:
        spec = self.dataset
        dest = download.dataset_dir(spec.name)
        try:
            download.download_dataset(
                spec.name, dest, progress=lambda info: self.post(self.progressed.emit, info),
                cancel=lambda: self.cancelled)
        except mnist_download.DownloadCancelled:
            self.post(self.done.emit, False, "Download cancelled; nothing half-written was kept.")
        except mnist_download.DownloadError as error:
            self.post(self.done.emit, False, f"{error}." + (
                " Training goes on with the bundled 10,000 digits." if spec.name == "mnist"
                else ""))
        else:
            what = "Full MNIST (60,000 digits)" if spec.name == "mnist" else spec.title
            self.post(self.done.emit, True, f"{what} is in {dest}; {spec.uses()} from the "
                                            "next Reset.")


class DownloadDialog(BackgroundProgressDialog):
    """A progress dialog showing file, bytes and rate; Cancel stops between two reads."""

    finished_with = Signal(str)

    def __init__(self, parent=None, dataset: str = "mnist") -> None:
        super().__init__("Connecting…", 1000, parent)
        title = download.dataset(dataset).title
        self.setWindowTitle("Download full MNIST" if dataset == "mnist" else f"Download {title}")
        self._thread = _DownloadThread(self, dataset)
        self._thread.progressed.connect(self._show_progress)
        self._thread.done.connect(self._finish)

    def start(self) -> None:
        self.show()
        self._thread.start()

    def _show_progress(self, info) -> None:
        self.setLabelText(mnist_download.format_progress(info))
        if info.bytes_total:
            self.setValue(int(1000 * info.bytes_done / info.bytes_total))

    def _finish(self, success: bool, message: str) -> None:
        self._close_after()
        self.finished_with.emit(message)
