"""How a download stands: what :func:`~ganviz.core.mnist.download.download_mnist` reports
to its ``progress`` callable, and that as one line for a status bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressInfo:
    """Where the download of one file stands.

    ``mirror`` is the base URL being read, or ``None`` when the file was already
    in place and verified (then ``bytes_done == bytes_total``).
    """

    file: str
    bytes_done: int
    bytes_total: int
    rate_bytes_per_s: float
    mirror: str | None

    @property
    def fraction(self) -> float:
        return self.bytes_done / self.bytes_total if self.bytes_total else 1.0


ProgressCallback = Callable[[ProgressInfo], None]
CancelCallback = Callable[[], bool]


def _size_text(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB"


def format_progress(info: ProgressInfo) -> str:
    """One line for a status bar, e.g. ``train-images-idx3-ubyte.gz  4.2/9.9 MB  1.3 MB/s``."""
    if info.bytes_total >= 1e6:
        amount = f"{info.bytes_done / 1e6:.1f}/{info.bytes_total / 1e6:.1f} MB"
    else:
        amount = f"{info.bytes_done / 1e3:.1f}/{info.bytes_total / 1e3:.1f} kB"
    if info.mirror is None:
        return f"{info.file}  {amount}  already downloaded"
    return f"{info.file}  {amount}  {_size_text(info.rate_bytes_per_s)}/s"
