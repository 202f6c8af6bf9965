"""The standard datasets ganviz downloads, and :func:`download_dataset`.

Each dataset is a :class:`DatasetFiles`: its files with their sizes and md5s, the
mirrors tried in order and the environment variable that replaces them. The download
itself is MNIST's (:mod:`ganviz.core.mnist.download`): streamed into a temporary file,
checked against the size and md5, then renamed into place; progress, cancel, one-line
errors. CIFAR-10's archive is then read into a ``.npy`` cache
(:func:`ganviz.core.images.standard.prepare_cifar10`); an archive that reads wrong is
refused and deleted. Torch-free and Qt-free.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ganviz.core.images import standard
from ganviz.core.images.dataset import cache_root
from ganviz.core.mnist import download as mnist_download
from ganviz.core.mnist.download import DataFile, DownloadCancelled, DownloadError
from ganviz.core.mnist.idx import DataError
from ganviz.core.mnist.progress import CancelCallback, ProgressCallback

__all__ = [
    "DATASETS", "DatasetFiles", "DownloadCancelled", "DownloadError", "dataset",
    "dataset_dir", "download_dataset",
]


@dataclass(frozen=True)
class DatasetFiles:
    """A dataset to download: ``name`` as ``--dataset`` takes it (and its cache folder's
    name), ``title`` in words, what it holds (``holds``), its ``files``, ``mirrors`` (base
    URLs, tried in order) replaced by ``$mirrors_env`` (comma-separated) when set, the
    presets that train on it, and what to do once the files are in (``prepare``)."""

    name: str
    title: str
    holds: str
    files: tuple[DataFile, ...]
    mirrors: tuple[str, ...]
    mirrors_env: str
    presets: tuple[str, ...]
    prepare: Callable[[Path, CancelCallback | None], object] | None = None

    @property
    def size(self) -> int:
        """The bytes downloaded, all files together."""
        return sum(f.size for f in self.files)

    def uses(self) -> str:
        """Which presets train on it, in words: "preset fashion-mnist uses it"."""
        if self.name == "mnist":
            return "MNIST presets use it"
        names = ", ".join(self.presets)
        return f"preset{'s' if len(self.presets) > 1 else ''} {names} " \
               f"use{'' if len(self.presets) > 1 else 's'} it"


def _idx(sizes_and_md5s: Sequence[tuple[int, str]]) -> tuple[DataFile, ...]:
    names = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    return tuple(DataFile(n, size, md5) for n, (size, md5) in zip(names, sizes_and_md5s,
                                                                   strict=True))


DATASETS: Mapping[str, DatasetFiles] = MappingProxyType({
    "mnist": DatasetFiles(
        "mnist", "MNIST", "60,000 training and 10,000 test digits",
        tuple(mnist_download.STANDARD_FILES.values()), mnist_download.DEFAULT_MIRRORS,
        mnist_download.MIRRORS_ENV, ("mnist",)),
    # Sizes and md5s as published by Zalando Research (and checked by torchvision).
    "fashion-mnist": DatasetFiles(
        "fashion-mnist", "Fashion-MNIST", "60,000 training and 10,000 test images",
        _idx([(26_421_880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
              (29_515, "25c81989df183df01b3e8a0aad5dffbe"),
              (4_422_102, "bef4ecab320f06d8554ea6380940ec79"),
              (5_148, "bb300cfdad3c16e7a12a480ee83cd310")]),
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
         "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
         "https://ossci-datasets.s3.amazonaws.com/fashion-mnist/"),
        "GANVIZ_FASHION_MNIST_MIRRORS", ("fashion-mnist",)),
    # The python version's archive, as published by Alex Krizhevsky (and torchvision).
    "cifar10": DatasetFiles(
        "cifar10", "CIFAR-10", "50,000 training images of 32x32 in colour",
        (DataFile(standard.CIFAR_ARCHIVE, 170_498_071, "c58f30108f718f92721af3b95e74349a"),),
        ("https://www.cs.toronto.edu/~kriz/",), "GANVIZ_CIFAR10_MIRRORS", ("cifar10-dcgan",),
        standard.prepare_cifar10),
})


def dataset(name: str) -> DatasetFiles:
    """The dataset ``name``; ValueError, naming the known ones, for any other."""
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None


def dataset_dir(name: str) -> Path:
    """Where dataset ``name`` is kept by default: ``cache_root() / name``."""
    return cache_root() / dataset(name).name


def download_dataset(
    name: str,
    dest: str | os.PathLike[str] | None = None,
    mirrors: Sequence[str] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelCallback | None = None,
    timeout: float = 30,
) -> Path:
    """Download dataset ``name`` into ``dest`` (default :func:`dataset_dir`), verified.

    ``mirrors`` default to ``$mirrors_env`` if set, else the dataset's list. As
    :func:`~ganviz.core.mnist.download.download_mnist` for the rest: files already there
    and right are kept, ``progress`` and ``cancel`` are called from this thread, a failure
    is a DownloadError with one line. Returns ``dest``.
    """
    spec = dataset(name)
    folder = Path(dest).expanduser() if dest is not None else dataset_dir(name)
    if spec.name == "mnist":  # MNIST's own function: its table and $GANVIZ_MNIST_MIRRORS
        return mnist_download.download_mnist(folder, mirrors, progress=progress,
                                             timeout=timeout, cancel=cancel)
    mirror_list = (tuple(mirrors) if mirrors is not None
                   else mnist_download.mirrors_from_env(spec.mirrors_env, spec.mirrors))
    mnist_download.download_files(spec.files, folder, mirror_list, progress, timeout, cancel)
    if spec.prepare is not None:
        try:
            spec.prepare(folder, cancel)
        except DataError as error:
            # The md5 matched, yet the archive reads wrong: nothing of it is kept.
            for file in spec.files:
                with contextlib.suppress(OSError):
                    (folder / file.name).unlink()
            raise DownloadError(f"could not unpack {spec.title}: {error}",
                                spec.files[0].name, "corrupt") from None
    return folder
