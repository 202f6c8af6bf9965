"""A set of images to train on, whatever it came from: MNIST's IDX files, Fashion-MNIST,
CIFAR-10's batches or a folder of pictures. Torch-free and Qt-free."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

__all__ = ["ImageSet", "cache_root"]


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays do not compare to one bool
class ImageSet:
    """``pixels``: uint8 (N, H, W, C), C 1 (grey, 0 black) or 3 (RGB), square images;
    possibly a read-only memory map. ``labels``: uint8 (N,) or None (a folder of
    pictures). ``source``: where they came from, in words (status line, run logs).
    ``classes``: the labels' names, if any."""

    pixels: NDArray[np.uint8]
    labels: NDArray[np.uint8] | None
    source: str
    classes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        shape = self.pixels.shape
        if self.pixels.dtype != np.uint8 or len(shape) != 4 or shape[3] not in (1, 3) \
                or shape[1] != shape[2] or shape[0] == 0:
            raise ValueError(f"pixels must be uint8 (N, S, S, 1 or 3) with N > 0, got "
                             f"{self.pixels.dtype} {shape}")
        if self.labels is not None and (self.labels.dtype != np.uint8
                                        or self.labels.shape != (shape[0],)):
            raise ValueError(f"labels must be uint8 ({shape[0]},), got {self.labels.dtype} "
                             f"{self.labels.shape}")

    def __len__(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def size(self) -> int:
        """The images' side in pixels."""
        return int(self.pixels.shape[1])

    @property
    def channels(self) -> int:
        return int(self.pixels.shape[3])


def cache_root() -> Path:
    """ganviz's cache folder (may not exist yet): ``$GANVIZ_CACHE_DIR`` if set, else the
    platform's per-user cache (``$XDG_CACHE_HOME/ganviz``, ``~/.cache/ganviz``,
    ``~/Library/Caches/ganviz``, ``%LOCALAPPDATA%\\ganviz\\Cache``). Each dataset keeps
    a subfolder (``mnist``, ``fashion-mnist``, ``cifar10``, ``folders``)."""
    override = os.environ.get("GANVIZ_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return (Path(local) if local else home / "AppData" / "Local") / "ganviz" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "ganviz"
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative value is invalid and must be ignored.
    return (Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache") / "ganviz"
