"""The compare mode's page: a bar (what is compared, its speed, Pause, Stop comparing)
over the grid of variants, and the relay to the process that trains them."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ganviz.app.compare.grid import CompareGrid
from ganviz.app.worker import ProcessRelay
from ganviz.core import compare_protocol as messages
from ganviz.core import protocol


class CompareWorker(ProcessRelay):
    """Relays the compare process's results as signals; commands to it, without waiting."""

    layout_ready = Signal(object)  # CompareLayout
    frame_ready = Signal(object)  # CompareFrame
    variant_written = Signal(int, str, int)  # index, path, iteration
    rejected = Signal(str)

    def __init__(self, preset: str, variants, base: dict, parent=None, custom=None,
                 data_dir: str | None = None) -> None:
        """``custom``, ``data_dir``: the main run's own data, as its trainer has them."""
        from ganviz.core.compare import CompareProcess

        process = CompareProcess(preset, variants, base, custom=custom, data_dir=data_dir)
        super().__init__(process, messages.RESULTS, parent)
        self._relay = {
            messages.CompareLayout: self.layout_ready.emit,
            messages.CompareFrame: self.frame_ready.emit,
            messages.VariantWritten: lambda r: self.variant_written.emit(r.index, r.path,
                                                                         r.step),
            protocol.Rejected: lambda r: self.rejected.emit(r.message),
            protocol.Failed: lambda r: self.failed.emit(r.message),
            protocol.Stopped: lambda r: None,
        }

    def set_running(self, running: bool) -> None:
        self._send(messages.RunVariants(bool(running)))

    def frame_drawn(self) -> None:
        self._send(messages.CellsDrawn())

    def request_variant(self, index: int, path: str) -> None:
        """Variant ``index``'s whole run written to ``path`` (VariantWritten answers)."""
        self._send(messages.OpenVariant(int(index), str(path)))


class ComparePage(QWidget):
    """Shows one comparison at a time: :meth:`start` it, :meth:`stop` it."""

    open_requested = Signal(int)  # a cell double-clicked: where should it be written?
    open_variant = Signal(str, str, int)  # session path, variant name, iteration
    ended = Signal()  # Stop comparing pressed
    message = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        bar = QHBoxLayout()
        self.title = QLabel()
        self.speed = QLabel()
        self.pause = QPushButton("Pause")
        self.pause.setToolTip("Pause or go on training every variant (Space)")
        self.pause.clicked.connect(lambda: self.set_running(not self.running))
        self.end_button = QPushButton("Stop comparing")
        self.end_button.setToolTip("Back to the main run (Esc)")
        self.end_button.clicked.connect(self.ended.emit)
        bar.addWidget(self.title, 1)
        bar.addWidget(self.speed)
        bar.addWidget(self.pause)
        bar.addWidget(self.end_button)
        layout.addLayout(bar)
        self.hint = QLabel("Hover a cell to light its curves, click to keep it lit, "
                           "double-click to open it as the main run.")
        self.hint.setStyleSheet("color: #555")
        layout.addWidget(self.hint)
        self.grid: CompareGrid | None = None
        self.worker: CompareWorker | None = None
        self.running = False
        self.columns = 4
        self.axes: list[str] = []
        self.names: tuple = ()
        self.draw_times: deque = deque(maxlen=41)  # when the last frames were drawn
        self.last_frame: messages.CompareFrame | None = None

    # ------------------------------------------------------------------------ lifetime
    def start(self, preset: str, variants, base: dict, axes: list[str], columns: int,
              running: bool = True, custom=None, data_dir: str | None = None) -> None:
        """Compare ``variants`` of ``preset`` from ``base`` settings, ``columns`` cells a row;
        ``custom`` (2-D points, description) and ``data_dir`` (MNIST): the run's data."""
        self.stop()
        self.axes, self.columns, self.running = axes, columns, running
        self.title.setText(f"Comparing {' × '.join(a.partition('=')[0] for a in axes)} on "
                           f"<b>{preset}</b>: {len(variants)} variants — starting…")
        self.draw_times.clear()
        self.last_frame = None
        worker = CompareWorker(preset, variants, base, self, custom, data_dir)
        worker.layout_ready.connect(self._build)
        worker.frame_ready.connect(self._draw)
        worker.variant_written.connect(self._written)
        worker.rejected.connect(self.message.emit)
        worker.failed.connect(lambda text: self.message.emit(f"Comparison stopped: {text}"))
        self.worker = worker
        worker.start()
        self.set_running(running)

    def stop(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            # What it sent while stopping must not reach the next comparison, or open a
            # variant after the user left: its signals go nowhere from here.
            for signal in (worker.layout_ready, worker.frame_ready, worker.variant_written,
                           worker.rejected, worker.failed):
                signal.disconnect()
            worker.stop()
            worker.deleteLater()
        self._drop_grid()

    def _drop_grid(self) -> None:
        if self.grid is not None:
            self.grid.setParent(None)
            self.grid.deleteLater()
            self.grid = None

    def set_running(self, running: bool) -> None:
        self.running = running
        self.pause.setText("Pause" if running else "Resume")
        if self.worker is not None:
            self.worker.set_running(running)

    def open_cell(self, index: int, path: str) -> None:
        """Ask for variant ``index``'s whole run, written to ``path``."""
        if self.worker is not None:
            self.set_running(False)
            self.message.emit(f"Opening {self.names[index]} as the main run…")
            self.worker.request_variant(index, path)

    # ------------------------------------------------------------------------- drawing
    def _build(self, layout: messages.CompareLayout) -> None:
        self._drop_grid()
        self.names = layout.names
        self.grid = CompareGrid(layout, self.columns, self)
        self.grid.open_requested.connect(self._open_requested)
        self.layout().addWidget(self.grid, 1)
        count = len(layout.names)
        if layout.batches == 1 and layout.batched == count:
            batched = "trained as one batch"
        elif layout.batched:
            batched = f"{layout.batched} trained in {layout.batches} batches"
            if layout.batched < count:
                batched += f", {count - layout.batched} in turn"
        else:
            batched = "trained in turn"
        self.title.setText(f"Comparing {' × '.join(a.partition('=')[0] for a in self.axes)} "
                           f"on <b>{layout.preset}</b>: {len(layout.names)} variants, "
                           f"{batched}")

    def _draw(self, frame: messages.CompareFrame) -> None:
        try:
            if self.grid is not None:
                self.grid.show_frame(frame)
                self.last_frame = frame
                self.draw_times.append(time.perf_counter())
                step = frame.cells[0].step if frame.cells else 0
                if frame.running:
                    self.speed.setText(f"iteration {step:,} · {frame.rate:,.0f} it/s each · "
                                       f"{self.frames_per_second():.0f} frames/s")
                else:
                    self.draw_times.clear()
                    self.speed.setText(f"iteration {step:,} · paused")
        finally:  # whatever happened to this frame, the next may come
            if self.worker is not None:
                self.worker.frame_drawn()

    def frames_per_second(self) -> float:
        times = self.draw_times
        if len(times) < 2 or times[-1] == times[0]:
            return 0.0
        return (len(times) - 1) / (times[-1] - times[0])

    def _open_requested(self, index: int) -> None:
        self.open_requested.emit(index)

    def _written(self, index: int, path: str, step: int) -> None:
        self.open_variant.emit(path, self.names[index], step)
