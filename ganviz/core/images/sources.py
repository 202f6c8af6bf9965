"""Which images a preset trains on, read from where the user said or from the cache.

An image preset's ``model["data"]`` names its kind: ``mnist`` (IDX digits: a folder given
with --data, else the downloaded or bundled ones), ``fashion-mnist`` and ``cifar10`` (the
downloaded sets, or a folder holding their files), ``folder`` (a folder of pictures,
which must be given). Torch-free: the command line checks a folder before torch loads.
"""

from __future__ import annotations

import os

from ganviz.core.mnist.idx import DataError

__all__ = ["CELEBA_HINT", "DataError", "data_kind", "downloaded", "folder_required",
           "load_data", "needs_folder"]

CELEBA_HINT = ("S5 trained on CelebA's aligned faces: download img_align_celeba.zip from "
               "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html, unzip it and give its "
               "folder")


def data_kind(preset) -> str:
    return preset.model.get("data", "mnist")


def needs_folder(preset) -> bool:
    """True for a preset that has no images until the user gives a folder of pictures."""
    return preset.mode == "mnist" and data_kind(preset) == "folder"


def downloaded(preset) -> bool:
    """False for a preset whose standard set (Fashion-MNIST, CIFAR-10) is not in the cache:
    a cheap look for its files, nothing read."""
    kind = data_kind(preset)
    if kind not in ("fashion-mnist", "cifar10"):
        return True
    from ganviz.core.images import standard
    from ganviz.core.mnist.data import first_split

    if kind == "fashion-mnist":
        return first_split(standard.fashion_mnist_dir()) is not None
    folder = standard.cifar10_dir()
    return any((folder / name).is_file()
               for name in (standard.CIFAR_IMAGES_NPY, standard.CIFAR_ARCHIVE))


def folder_required(preset) -> DataError:
    """The one line that says a preset needs a folder of pictures, and where to get one."""
    return DataError(preset.name, "trains on a folder of PNG or JPEG pictures: give one with "
                     f"--data DIR (in the window: Data > Open image folder). {CELEBA_HINT}")


def load_data(preset, folder: str | os.PathLike[str] | None = None, progress=None):
    """The images ``preset`` trains on: MnistData for MNIST digits (None: the problem's
    default, the downloaded or bundled split), an ImageSet for the others. Raises
    DataError with one line when they cannot be had."""
    kind = data_kind(preset)
    if kind == "mnist":
        from ganviz.core.mnist import data as mnist

        return None if folder is None else mnist.load_dir(folder)
    if kind == "folder":
        if folder is None:
            raise folder_required(preset)
        from ganviz.core.images.folder import load_folder

        return load_folder(folder, preset.image_size, preset.channels, progress)
    from ganviz.core.images import standard

    loader = {"fashion-mnist": standard.load_fashion_mnist,
              "cifar10": standard.load_cifar10}[kind]
    return loader(folder)
