"""Fashion-MNIST and CIFAR-10 as :class:`ImageSet`, from the folders ``ganviz data
download --dataset ...`` fills (:mod:`ganviz.core.images.download`) or a folder given.

Fashion-MNIST is four IDX files laid out as MNIST's, read by the same checked reader
(:mod:`ganviz.core.mnist.idx`). CIFAR-10's archive is read without extracting it nor
trusting its pickles (:mod:`ganviz.core.images.cifar_archive`); its 50,000 training
images are then kept beside it as uint8 ``.npy`` files, written atomically and
memory-mapped when loaded. Torch-free and Qt-free.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from ganviz.core.atomic import atomic_write
from ganviz.core.images import cifar_archive as cifar
from ganviz.core.images.cifar_archive import (
    CIFAR10_CLASSES,
    CIFAR_ARCHIVE,
    CIFAR_FOLDER,
    CIFAR_SIDE,
    CIFAR_TRAIN,
    Cancel,
    read_cifar_archive,
    read_cifar_folder,
)
from ganviz.core.images.dataset import ImageSet, cache_root
from ganviz.core.mnist.data import first_split, load_pair
from ganviz.core.mnist.idx import DataError

__all__ = [
    "CIFAR10_CLASSES", "CIFAR_ARCHIVE", "FASHION_CLASSES", "build_cifar10_cache",
    "cifar10_dir", "fashion_mnist_dir", "load_cifar10", "load_fashion_mnist",
    "prepare_cifar10", "read_cifar_archive",
]

log = logging.getLogger(__name__)

FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")
# The cache of the training images beside the archive: uint8 (N, 32, 32, 3), uint8 (N,).
CIFAR_IMAGES_NPY = "train-images.npy"
CIFAR_LABELS_NPY = "train-labels.npy"
CIFAR_CLASSES_TXT = "classes.txt"

_HOW_FASHION = "get them with `ganviz data download --dataset fashion-mnist`"


def fashion_mnist_dir() -> Path:
    """Where ``ganviz data download --dataset fashion-mnist`` puts the four IDX files."""
    return cache_root() / "fashion-mnist"


def cifar10_dir() -> Path:
    """Where ``ganviz data download --dataset cifar10`` puts the archive and its cache."""
    return cache_root() / "cifar10"


# ------------------------------------------------------------------ Fashion-MNIST


def load_fashion_mnist(directory: str | os.PathLike[str] | None = None) -> ImageSet:
    """Fashion-MNIST from ``directory`` (default :func:`fashion_mnist_dir`): the 60,000
    training images if both their files are there, else the 10,000 test images; uint8
    (N, 28, 28, 1), 0 the background, with labels 0..9 (:data:`FASHION_CLASSES`)."""
    folder = fashion_mnist_dir() if directory is None else Path(directory).expanduser()
    if directory is not None and folder.exists() and not folder.is_dir():
        raise DataError(str(folder), "is a file, expected a folder of Fashion-MNIST IDX files")
    pair = first_split(folder) if folder.is_dir() else None
    if pair is None:
        raise DataError(str(folder), "no Fashion-MNIST files (train- or t10k-images-idx3-ubyte"
                        f"[.gz] with their labels); {_HOW_FASHION}")
    split = "training" if pair[0].name.startswith("train") else "test"
    data = load_pair(*pair)
    return ImageSet(data.images[..., np.newaxis], data.labels,
                    f"Fashion-MNIST {split} split ({len(data):,} images) from {folder}",
                    FASHION_CLASSES)


# ----------------------------------------------------------------------- CIFAR-10


def load_cifar10(directory: str | os.PathLike[str] | None = None) -> ImageSet:
    """CIFAR-10's 50,000 training images, uint8 (50000, 32, 32, 3) RGB with labels 0..9.

    From :func:`cifar10_dir` by default: its ``.npy`` cache, memory-mapped, else its
    archive (then the cache is written). ``directory`` may instead be the archive itself,
    or a folder holding the cache, the archive or the extracted ``cifar-10-batches-py``
    (torchvision's layout); nothing is written there. Raises :class:`DataError`, one line.
    """
    own = directory is None
    folder = cifar10_dir() if own else Path(directory).expanduser()
    if not own and folder.is_file():
        return read_cifar_archive(folder)
    if not own and not folder.is_dir():
        raise DataError(str(folder), "folder not found")
    damaged: DataError | None = None
    try:
        cached = _load_cache(folder)
    except DataError as error:
        cached, damaged = None, error
    if cached is not None:
        return cached
    archive = folder / CIFAR_ARCHIVE
    if archive.is_file():
        return build_cifar10_cache(folder) if own else read_cifar_archive(archive)
    for batches in (folder / CIFAR_FOLDER, folder):
        if (batches / CIFAR_TRAIN[0]).is_file():
            return read_cifar_folder(batches)
    if damaged is not None:
        raise damaged
    raise DataError(str(folder), f"no CIFAR-10 files ({CIFAR_ARCHIVE}, {CIFAR_FOLDER}/ or "
                    f"{CIFAR_IMAGES_NPY}); {cifar.HOW_TO_GET}")


def prepare_cifar10(folder: str | os.PathLike[str], cancel: Cancel | None = None) -> None:
    """Write the ``.npy`` cache from ``folder``'s archive unless a sound one is there."""
    try:
        if _load_cache(Path(folder)) is not None:
            return
    except DataError:
        pass
    build_cifar10_cache(folder, cancel)


def build_cifar10_cache(folder: str | os.PathLike[str], cancel: Cancel | None = None) -> ImageSet:
    """Read ``folder``'s archive and write the ``.npy`` cache beside it (atomically; where
    it cannot be written, the images are still returned, from memory)."""
    folder = Path(folder)
    images = read_cifar_archive(folder / CIFAR_ARCHIVE, cancel)
    try:
        with atomic_write(folder / CIFAR_CLASSES_TXT, "w", encoding="utf-8") as file:
            file.write("".join(f"{name}\n" for name in images.classes))
        with atomic_write(folder / CIFAR_LABELS_NPY) as file:
            np.save(file, images.labels, allow_pickle=False)
        with atomic_write(folder / CIFAR_IMAGES_NPY) as file:
            np.save(file, images.pixels, allow_pickle=False)
    except OSError as error:
        log.warning("CIFAR-10: cannot write the cache in %s: %s", folder, error)
    return images


def _load_cache(folder: Path) -> ImageSet | None:
    """The cache in ``folder``, memory-mapped; None if absent, DataError if damaged."""
    images_path, labels_path = folder / CIFAR_IMAGES_NPY, folder / CIFAR_LABELS_NPY
    if not (images_path.is_file() and labels_path.is_file()):
        return None
    try:
        pixels = np.load(images_path, mmap_mode="r", allow_pickle=False)
        labels = np.load(labels_path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DataError(images_path.name, f"damaged cache: {error}") from None
    count = len(CIFAR_TRAIN) * cifar.CIFAR_BATCH
    shape = (count, CIFAR_SIDE, CIFAR_SIDE, 3)
    if pixels.dtype != np.uint8 or pixels.shape != shape:
        raise DataError(images_path.name, f"damaged cache: {pixels.dtype} {pixels.shape}, "
                        f"expected uint8 {shape}")
    if labels.dtype != np.uint8 or labels.shape != (count,) or int(labels.max()) > 9:
        raise DataError(labels_path.name, f"damaged cache: {labels.dtype} {labels.shape}, "
                        f"expected uint8 ({count},) in 0..9")
    classes = CIFAR10_CLASSES
    try:
        names = tuple((folder / CIFAR_CLASSES_TXT).read_text(encoding="utf-8").splitlines())
        classes = names if cifar.good_names(names) else classes
    except (OSError, UnicodeDecodeError):
        pass
    return ImageSet(pixels, labels, f"CIFAR-10 training set ({count:,} images) from {folder}",
                    classes)


