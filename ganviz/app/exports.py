"""Pictures and animations of the window: plots as PNG or SVG, training as GIF or MP4."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from ganviz.core import atomic


def export_plot(item: pg.PlotItem, path: str | Path, width: int) -> Path:
    """``item`` as PNG (``width`` pixels wide, its aspect kept) or SVG, by the suffix.

    Both render the scene under the plot, so a second axis's curves drawn over it are
    included.
    """
    from pyqtgraph.exporters import ImageExporter

    path = Path(path)
    if path.suffix.lower() not in (".svg", ".png"):
        path = path.with_suffix(".png")
    with atomic_path(path) as temporary:
        if path.suffix.lower() == ".svg":
            export_svg(item, temporary)
        else:
            exporter = ImageExporter(item)
            source = exporter.getSourceRect()
            height = max(1, round(width * source.height() / max(source.width(), 1.0)))
            # Setting the width updates the linked height; both are set as integers, which
            # pyqtgraph's parameter needs (a float raises in some versions).
            exporter.parameters()["width"] = int(width)
            exporter.parameters()["height"] = int(height)
            if exporter.export(str(temporary)) is False:
                raise OSError(f"{path.name}: the PNG could not be written")
    return path


@contextlib.contextmanager
def atomic_path(path: Path):
    """A temporary file beside ``path`` to write to; it replaces ``path`` only when the
    block succeeds (a failed export never leaves half a file where a good one was)."""
    with atomic.atomic_path(path, keep_suffix=True) as temporary:
        yield temporary
        if not temporary.is_file() or temporary.stat().st_size == 0:
            raise OSError(f"{path.name}: nothing was written")


def export_svg(item: pg.PlotItem, path: Path) -> None:
    """Vector SVG of the scene under ``item``, through Qt's own SVG painter.

    pyqtgraph's SVG exporter parses the SVG Qt writes, and fails on the path syntax of
    Qt 6.11 ("not enough values to unpack"); Qt's generator needs no parsing.
    """
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    source = item.sceneBoundingRect()
    width, height = round(source.width()), round(source.height())
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, width, height))
    generator.setTitle(item.titleLabel.text or "ganviz plot")
    painter = QPainter(generator)
    if not painter.isActive():
        raise OSError(f"{path.name}: the SVG could not be written")
    try:
        painter.fillRect(QRectF(0, 0, width, height), Qt.GlobalColor.white)
        item.scene().render(painter, QRectF(0, 0, width, height), source)
    finally:
        painter.end()


def image_to_png(image: QImage) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


class Recorder(QObject):
    """Grabs a widget at a fixed frame rate while recording; memory stays bounded.

    Frames are kept PNG-compressed and at most ``max_width`` wide. When ``max_frames``
    are held, every other frame is dropped and the interval doubles, so a long recording
    keeps its whole span at a lower frame rate instead of growing without end.
    """

    changed = Signal()  # frames were added or dropped

    def __init__(self, widget, fps: float = 10.0, max_frames: int = 600,
                 max_width: int = 960) -> None:
        super().__init__(widget)
        self.widget = widget
        self.max_frames = max_frames
        self.max_width = max_width
        self.frames: list[bytes] = []
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.capture)
        self.set_fps(fps)

    def set_fps(self, fps: float) -> None:
        self.fps = float(fps)
        self.interval_s = 1.0 / self.fps  # between kept frames (doubles when thinned)
        self.timer.setInterval(max(1, round(1000.0 / self.fps)))

    @property
    def recording(self) -> bool:
        return self.timer.isActive()

    def start(self) -> None:
        self.frames.clear()
        self.interval_s = 1.0 / self.fps
        self.timer.setInterval(max(1, round(1000.0 / self.fps)))
        self.capture()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def capture(self) -> None:
        image = self.widget.grab().toImage()
        if image.width() > self.max_width:
            image = image.scaledToWidth(self.max_width,
                                        Qt.TransformationMode.SmoothTransformation)
        self.frames.append(image_to_png(image))
        if len(self.frames) >= self.max_frames:
            del self.frames[1::2]
            self.interval_s *= 2
            self.timer.setInterval(round(1000.0 * self.interval_s))
        self.changed.emit()

    def memory_bytes(self) -> int:
        return sum(len(frame) for frame in self.frames)

    def save(self, path: str | Path, fps: float | None = None) -> Path:
        """GIF (Pillow) or MP4 (imageio-ffmpeg, if installed), by the suffix; plays at
        ``fps`` (default: the rate the frames were kept at)."""
        if not self.frames:
            raise ValueError("nothing recorded yet: press Record while training")
        path = Path(path)
        rate = fps if fps is not None else 1.0 / self.interval_s
        # Decoded one at a time while encoding: all at once, 600 frames would take ~1 GB.
        frames = list(self.frames)
        with atomic_path(path) as temporary:
            if path.suffix.lower() == ".mp4":
                write_mp4(temporary, frames, rate)
            else:
                write_gif(temporary, frames, rate)
        return path


def _decode(png: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(png)).convert("RGB")


def write_gif(path: Path, frames: list[bytes], fps: float) -> None:
    """PNG-compressed ``frames`` as an animated GIF, decoded one by one."""
    first = _decode(frames[0])
    # One palette for the whole animation: the plots' colours do not flicker between
    # frames, and encoding is faster than a palette per frame.
    palette = first.quantize(colors=255, method=2)
    rest = (_decode(frame).quantize(palette=palette, dither=0) for frame in frames[1:])
    first.quantize(palette=palette, dither=0).save(
        path, format="GIF", save_all=True, append_images=rest,
        duration=max(20, round(1000.0 / fps)), loop=0, optimize=False)


def mp4_available() -> bool:
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


def write_mp4(path: Path, frames: list[bytes], fps: float) -> None:
    import imageio_ffmpeg

    first = _decode(frames[0])
    # H.264 wants even dimensions.
    width, height = (first.width // 2) * 2, (first.height // 2) * 2
    writer = imageio_ffmpeg.write_frames(str(path), (width, height), fps=fps,
                                         macro_block_size=2, output_params=["-f", "mp4"])
    writer.send(None)
    try:
        for frame in frames:
            pixels = np.asarray(_decode(frame))[:height, :width]
            writer.send(np.ascontiguousarray(pixels))
    finally:
        writer.close()
