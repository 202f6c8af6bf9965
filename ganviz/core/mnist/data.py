"""MNIST digits: reading IDX files, the bundled test split and the user's cache.

Qt-free and torch-free (numpy and the standard library only), so the window, the
headless CLI and the tests all load digits the same way.

Where digits come from, in :func:`load_default`'s order of preference:

1. the full 60,000-digit training split in :func:`cache_dir`, if
   :mod:`ganviz.core.mnist.download` (or the user) has put it there;
2. the official 10,000-digit test split shipped inside ganviz
   (``resources/mnist``, installed as the package ``ganviz.resources``).

Integrity is checked at two levels. Downloads are checked against the known size
and md5 of each file before they are moved into the cache (see
``mnist_download``). Loading does not recompute md5s: every file is checked
structurally instead (:mod:`ganviz.core.mnist.idx`), which catches any damage that
matters for training and also accepts files a user unpacked or re-compressed
themselves.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ganviz.core.images.dataset import cache_root
from ganviz.core.mnist.idx import (
    IMAGES_MAGIC,
    LABELS_MAGIC,
    DataError,
    read_idx,
    read_idx_header,
)
from ganviz.core.resources import resource_path

__all__ = [
    "BUNDLED_SOURCE",
    "IMAGES_MAGIC",
    "IMAGE_SIZE",
    "LABELS_MAGIC",
    "T10K_IMAGES",
    "T10K_LABELS",
    "TRAIN_COUNT",
    "TRAIN_IMAGES",
    "TRAIN_LABELS",
    "DataError",
    "MnistData",
    "bundled_dir",
    "cache_dir",
    "find_split",
    "first_split",
    "load_bundled",
    "load_default",
    "load_dir",
    "load_pair",
    "read_idx",
]

log = logging.getLogger(__name__)

# The standard (gzip'd) file names. load_dir also accepts them without ".gz".
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
T10K_IMAGES = "t10k-images-idx3-ubyte.gz"
T10K_LABELS = "t10k-labels-idx1-ubyte.gz"

# Split prefix -> (images file, labels file), in order of preference.
SPLITS: dict[str, tuple[str, str]] = {
    "train": (TRAIN_IMAGES, TRAIN_LABELS),
    "t10k": (T10K_IMAGES, T10K_LABELS),
}

IMAGE_SIZE = 28
TRAIN_COUNT = 60_000
BUNDLED_SOURCE = "bundled test split (10,000 digits)"


# ------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays do not compare to one bool
class MnistData:
    """A set of MNIST digits with their labels.

    ``images`` is uint8 ``(N, 28, 28)`` with 0 = background and 255 = ink,
    ``labels`` is uint8 ``(N,)`` in 0..9, ``source`` says where they came from
    in words (for the window's status line and run logs).
    """

    images: NDArray[np.uint8]
    labels: NDArray[np.uint8]
    source: str

    def __post_init__(self) -> None:
        if self.images.dtype != np.uint8 or self.images.ndim != 3:
            raise ValueError(
                f"images must be uint8 (N, 28, 28), got {self.images.dtype} {self.images.shape}"
            )
        if self.images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
            raise ValueError(f"images must be 28x28, got {self.images.shape[1:]}")
        if self.labels.dtype != np.uint8 or self.labels.shape != (self.images.shape[0],):
            raise ValueError(
                f"labels must be uint8 ({self.images.shape[0]},), got "
                f"{self.labels.dtype} {self.labels.shape}"
            )

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def as_float(self, low: float = -1.0, high: float = 1.0) -> NDArray[np.float32]:
        """The images as float32 ``(N, 28, 28)``, 0 mapped to ``low`` and 255 to ``high``.

        The default [-1, 1] matches a generator that ends in tanh.
        """
        out = self.images.astype(np.float32)
        # Divide first: 255 / 255 is exactly 1.0, so ink lands exactly on `high`
        # for the usual ranges ([-1, 1], [0, 1]).
        out /= np.float32(255.0)
        out *= np.float32(high - low)
        out += np.float32(low)
        return out


def _check_pair(
    images_path: Path,
    images_dims: tuple[int, ...],
    labels_path: Path,
    labels_dims: tuple[int, ...],
) -> None:
    """Refuse an images/labels pair whose shapes do not go together."""
    if len(images_dims) != 3:
        raise DataError(images_path.name, "is a labels file, expected an images file")
    if len(labels_dims) != 1:
        raise DataError(labels_path.name, "is an images file, expected a labels file")
    if tuple(images_dims[1:]) != (IMAGE_SIZE, IMAGE_SIZE):
        rows, cols = images_dims[1:]
        raise DataError(images_path.name, f"images are {rows}x{cols}, MNIST digits are 28x28")
    if images_dims[0] != labels_dims[0]:
        raise DataError(
            labels_path.name,
            f"holds {labels_dims[0]} labels but {images_path.name} holds {images_dims[0]} images",
        )


def load_pair(
    images_path: str | os.PathLike[str],
    labels_path: str | os.PathLike[str],
    source: str | None = None,
) -> MnistData:
    """Load an images file and its labels file; ``source`` defaults to their folder."""
    images_path, labels_path = Path(images_path), Path(labels_path)
    # Headers first, both files: a pair that cannot go together (swapped, another image
    # size, counts that differ) is refused before any payload is read or decompressed.
    _check_pair(
        images_path,
        read_idx_header(images_path).dims,
        labels_path,
        read_idx_header(labels_path).dims,
    )
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    # Again on what was read: a file may have been replaced since its header was read.
    _check_pair(images_path, images.shape, labels_path, labels.shape)
    return MnistData(images, labels, source if source is not None else str(images_path.parent))


# ---------------------------------------------------------------------- folders


def bundled_dir() -> Path:
    """The folder holding ganviz's bundled data (its ``mnist`` subfolder has the digits)."""
    return resource_path("mnist").parent


def _candidates(directory: Path, gz_name: str) -> list[Path]:
    raw_name = gz_name.removesuffix(".gz")
    return [directory / gz_name, directory / raw_name]


def find_split(directory: str | os.PathLike[str], split: str) -> tuple[Path, Path] | None:
    """The images and labels files of ``split`` ("train" or "t10k") in ``directory``.

    Each file may be gzip'd (standard name) or not (the name without ".gz"); the
    gzip'd one wins if both are there. ``None`` unless both files are present.
    """
    directory = Path(directory)
    found: list[Path] = []
    for gz_name in SPLITS[split]:
        path = next((p for p in _candidates(directory, gz_name) if p.is_file()), None)
        if path is None:
            return None
        found.append(path)
    return found[0], found[1]


def first_split(directory: str | os.PathLike[str]) -> tuple[Path, Path] | None:
    """The images and labels files of the first split complete in ``directory``: the
    training split, else the test split; ``None`` if neither (or no such folder)."""
    for split in SPLITS:
        pair = find_split(directory, split)
        if pair is not None:
            return pair
    return None


def _looked_for() -> str:
    return ", ".join(f"{n.removesuffix('.gz')}[.gz]" for pair in SPLITS.values() for n in pair)


def load_dir(directory: str | os.PathLike[str]) -> MnistData:
    """Load MNIST from a folder of IDX files with the standard names.

    The training split (60,000 digits) is used if both its files are there, else
    the test split (10,000). Files may be gzip'd or not.
    """
    directory = Path(directory).expanduser()
    if not directory.exists():
        raise DataError(str(directory), "folder not found")
    if not directory.is_dir():
        raise DataError(str(directory), "is a file, expected a folder of MNIST IDX files")

    for split in SPLITS:
        pair = find_split(directory, split)
        if pair is not None:
            return load_pair(*pair, source=str(directory))

    # Nothing complete. If half a split is there, say which half is missing:
    # that is more useful than the generic list.
    for images_name, labels_name in SPLITS.values():
        have = [
            any(p.is_file() for p in _candidates(directory, n)) for n in (images_name, labels_name)
        ]
        if any(have):
            present, missing = (images_name, labels_name) if have[0] else (labels_name, images_name)
            raise DataError(
                str(directory),
                f"found {present.removesuffix('.gz')}[.gz] but not its partner "
                f"{missing.removesuffix('.gz')}[.gz]",
            )
    raise DataError(str(directory), f"no MNIST files found; looked for {_looked_for()}")


def load_bundled() -> MnistData:
    """The official 10,000-digit test split shipped with ganviz."""
    folder = bundled_dir() / "mnist"
    return load_pair(folder / T10K_IMAGES, folder / T10K_LABELS, source=BUNDLED_SOURCE)


def cache_dir() -> Path:
    """Where ganviz keeps the downloaded MNIST training split (may not exist yet): the
    ``mnist`` folder of :func:`ganviz.core.images.dataset.cache_root`, e.g.
    ``$GANVIZ_CACHE_DIR/mnist`` or ``~/.cache/ganviz/mnist``."""
    return cache_root() / "mnist"


def load_default() -> MnistData:
    """The full training split from :func:`cache_dir` if it is all there and valid,
    else the bundled test split.

    Cached files are checked structurally (header, exact length, gzip CRC, labels,
    60,000 digits), not by md5: the md5 was checked when they were downloaded, and
    the structural checks catch any later damage. A damaged cache is logged as a
    warning and otherwise ignored (never deleted: a new download replaces it).
    """
    folder = cache_dir()
    pair = find_split(folder, "train")
    if pair is not None:
        try:
            data = load_pair(*pair, source=f"full training split from {folder}")
        except DataError as exc:
            log.warning("ignoring the cached MNIST training split: %s", exc)
        else:
            if len(data) == TRAIN_COUNT:
                return data
            log.warning(
                "ignoring the cached MNIST training split in %s: it holds %d digits, not %d",
                folder,
                len(data),
                TRAIN_COUNT,
            )
    return load_bundled()
