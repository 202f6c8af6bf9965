"""CIFAR-10's python archive, read safely: ``cifar-10-python.tar.gz`` holds Python pickles
in a tarball, and both layers are treated as hostile.

Nothing is extracted to disk: the wanted members are read from the tar stream into arrays.
Only regular files of the expected names are read; a member whose path is absolute or
climbs out with ``..``, a link or a device refuses the whole archive; each member's size,
their number and the archive's decompressed size are bounded before they are read. Each
pickle is read by an unpickler that refuses every global but the three a numpy array of
numbers needs, and each batch is checked: uint8 (10000, 3072) pixels, 10,000 labels in
0..9. Torch-free and Qt-free; :mod:`ganviz.core.images.standard` keeps what is read.
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ganviz.core.images.dataset import ImageSet
from ganviz.core.mnist.download import DownloadCancelled
from ganviz.core.mnist.idx import DataError

__all__ = ["CIFAR10_CLASSES", "CIFAR_ARCHIVE", "good_names", "read_cifar_archive",
           "read_cifar_folder"]

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck")

CIFAR_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR_FOLDER = "cifar-10-batches-py"  # the archive's one folder
CIFAR_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR_META = "batches.meta"
CIFAR_BATCH = 10_000  # images in each batch
CIFAR_SIDE = 32
# A batch's pickle is about 31 MB (30,720,000 bytes of pixels, its labels and file names);
# the whole archive, about 186 MB decompressed, holds 9 members.
MAX_MEMBER = 40_000_000
MAX_ARCHIVE = 256_000_000
MAX_MEMBERS = 64

_GZIP_MAGIC = b"\x1f\x8b"
HOW_TO_GET = "get them with `ganviz data download --dataset cifar10`"

Cancel = Callable[[], bool]


def read_cifar_archive(path: str | os.PathLike[str], cancel: Cancel | None = None) -> ImageSet:
    """The training images in ``cifar-10-python.tar.gz`` (or the same tar, not gzip'd),
    read from the stream without extracting anything. ``cancel`` is asked between members
    (True: :class:`DownloadCancelled`)."""
    path = Path(path)
    return _assemble(_archive_members(path, cancel), str(path))


def read_cifar_folder(folder: str | os.PathLike[str]) -> ImageSet:
    """The training images in an extracted ``cifar-10-batches-py`` folder."""
    folder = Path(folder)
    return _assemble(_folder_members(folder), str(folder))


def _assemble(members: Iterator[tuple[str, bytes]], where: str) -> ImageSet:
    """The training set from (batch name, pickle) pairs, in any order."""
    count = len(CIFAR_TRAIN) * CIFAR_BATCH
    pixels = np.empty((count, CIFAR_SIDE, CIFAR_SIDE, 3), np.uint8)
    labels = np.empty(count, np.uint8)
    classes, seen = CIFAR10_CLASSES, set()
    for name, raw in members:
        if name == CIFAR_META:
            classes = _meta(_unpickle(raw, name), name)
        else:
            start = CIFAR_TRAIN.index(name) * CIFAR_BATCH
            part = slice(start, start + CIFAR_BATCH)
            pixels[part], labels[part] = _batch(_unpickle(raw, name), name)
        seen.add(name)
    missing = [name for name in CIFAR_TRAIN if name not in seen]
    if missing:
        raise DataError(where, f"incomplete: {', '.join(missing)} missing; {HOW_TO_GET}")
    return ImageSet(pixels, labels, f"CIFAR-10 training set ({count:,} images) from {where}",
                    classes)


# ------------------------------------------------------------- the tar, the files


class _Bounded:
    """A stream that refuses to give more than ``limit`` bytes in all (a gzip bomb)."""

    def __init__(self, stream: Any, limit: int, name: str) -> None:
        self._stream, self._left, self._limit, self._name = stream, limit, limit, name

    def read(self, size: int = -1) -> bytes:
        size = self._left + 1 if size is None or size < 0 else min(size, self._left + 1)
        data = self._stream.read(size)
        self._left -= len(data)
        if self._left < 0:
            raise DataError(self._name, f"refused: decompresses to more than {self._limit} "
                            "bytes")
        return data


def _unsafe(name: str) -> bool:
    """True for a member name that is absolute or climbs out of the folder with ``..``."""
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _wanted(name: str) -> str | None:
    """The batch a member holds ("data_batch_3", "batches.meta"), or None (not needed)."""
    folder, _, base = name.partition("/")
    if folder == CIFAR_FOLDER and (base in CIFAR_TRAIN or base == CIFAR_META):
        return base
    return None


def _archive_members(path: Path, cancel: Cancel | None) -> Iterator[tuple[str, bytes]]:
    name = path.name
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == _GZIP_MAGIC
            raw.seek(0)
            stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
            with tarfile.open(fileobj=_Bounded(stream, MAX_ARCHIVE, name), mode="r|") as tar:
                seen: set[str] = set()
                for number, member in enumerate(tar, 1):
                    if cancel is not None and cancel():
                        raise DownloadCancelled(f"reading {name} cancelled")
                    batch = _check_member(member, number, name)
                    if batch is None:
                        continue
                    if batch in seen:
                        raise DataError(name, f"refused: {member.name} appears twice")
                    seen.add(batch)
                    file = tar.extractfile(member)
                    data = file.read(member.size) if file is not None else b""
                    if len(data) != member.size:
                        raise DataError(name, f"truncated: {member.name} ends after {len(data)} "
                                        f"of {member.size} bytes")
                    yield batch, data
    except (DataError, DownloadCancelled):
        raise
    except FileNotFoundError:
        raise DataError(name, f"not found in {path.parent}") from None
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as error:
        problem = str(error) or "ends early"
        raise DataError(name, f"not a readable tar.gz archive: {problem}") from None
    except OSError as error:
        raise DataError(name, f"cannot read: {error.strerror or error}") from None


def _check_member(member: tarfile.TarInfo, number: int, archive: str) -> str | None:
    """Refuse what no CIFAR-10 archive holds; the batch a member holds, else None."""
    if number > MAX_MEMBERS:
        raise DataError(archive, f"refused: more than {MAX_MEMBERS} members")
    if _unsafe(member.name):
        raise DataError(archive, f"refused: member {member.name!r} would land outside the "
                        "folder")
    if member.isdir():
        return None
    if not member.isfile():
        kind = "link" if member.issym() or member.islnk() else "device, pipe or other special"
        raise DataError(archive, f"refused: member {member.name!r} is a {kind} file")
    if member.size > MAX_MEMBER:
        raise DataError(archive, f"refused: member {member.name!r} claims {member.size} bytes, "
                        f"more than the {MAX_MEMBER} a CIFAR-10 batch may take")
    return _wanted(member.name)


def _folder_members(folder: Path) -> Iterator[tuple[str, bytes]]:
    """The batches of an extracted ``cifar-10-batches-py`` folder."""
    for batch in (*CIFAR_TRAIN, CIFAR_META):
        path = folder / batch
        if batch == CIFAR_META and not path.exists():
            continue
        try:
            if not path.is_file():
                raise DataError(batch, f"not found in {folder}; {HOW_TO_GET}")
            if path.stat().st_size > MAX_MEMBER:
                raise DataError(batch, f"refused: more than {MAX_MEMBER} bytes")
            data = path.read_bytes()
        except OSError as error:
            raise DataError(batch, f"cannot read: {error.strerror or error}") from None
        yield batch, data


# -------------------------------------------------------------------- the pickles


def _checked_reconstruct(subtype: Any, shape: Any, dtype: Any) -> Any:
    """numpy's ``_reconstruct`` for the only call an array's pickle makes: an empty
    ndarray, its content set from the pickle (bounded by its size) afterwards."""
    if subtype is not _NDARRAY or shape != (0,):
        raise pickle.UnpicklingError("refused: not the reconstruction of a numpy array")
    return _RECONSTRUCT(np.ndarray, (0,), dtype)


def _checked_dtype(spec: Any, *flags: Any) -> np.dtype:
    dtype = np.dtype(spec.decode("latin1") if isinstance(spec, bytes) else spec, *flags)
    if dtype.hasobject or dtype.kind not in "biuf":
        raise pickle.UnpicklingError(f"refused: numpy dtype {dtype}")
    return dtype


_NDARRAY = object()  # stands for numpy.ndarray: the class itself is never called
_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(0))[0]  # numpy(._)core.multiarray._reconstruct
_ALLOWED: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _checked_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _checked_reconstruct,
    ("numpy", "ndarray"): _NDARRAY,
    ("numpy", "dtype"): _checked_dtype,
}


class _BatchUnpickler(pickle.Unpickler):
    """Refuses every global but those that rebuild a numpy array of numbers."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused: the pickle asks for {module}.{name}; "
                                         "only numpy arrays are allowed") from None


def _unpickle(raw: bytes, name: str) -> Any:
    try:
        # latin1: the batches were pickled by Python 2, whose strings hold array bytes.
        return _BatchUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except Exception as error:  # anything a damaged or hostile pickle makes go wrong
        text = str(error) or type(error).__name__
        problem = text if text.startswith("refused") else f"not a CIFAR-10 batch: {text}"
        raise DataError(name, problem) from None


def _field(batch: Any, key: str, name: str) -> Any:
    if not isinstance(batch, dict):
        raise DataError(name, f"not a CIFAR-10 batch: a {type(batch).__name__}, not a dict")
    for candidate in (key, key.encode()):
        if candidate in batch:
            return batch[candidate]
    raise DataError(name, f"not a CIFAR-10 batch: no {key!r}")


def _batch(batch: Any, name: str) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """A batch's images as (N, 32, 32, 3) and labels, checked."""
    data, labels = _field(batch, "data", name), _field(batch, "labels", name)
    side = CIFAR_SIDE
    expected = (CIFAR_BATCH, 3 * side * side)
    if type(data) is not np.ndarray or data.dtype != np.uint8 or data.shape != expected:
        got = f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise DataError(name, f"data is {got}, expected uint8 {expected}")
    if not isinstance(labels, list) or len(labels) != CIFAR_BATCH:
        size = len(labels) if isinstance(labels, list) else type(labels).__name__
        raise DataError(name, f"labels: {size}, expected a list of {CIFAR_BATCH}")
    bad = next((i for i, v in enumerate(labels) if type(v) is not int or not 0 <= v <= 9), None)
    if bad is not None:
        raise DataError(name, f"label {labels[bad]!r} out of range 0..9 (index {bad})")
    # Each row is the red plane, then green, then blue, each 32 rows of 32.
    return data.reshape(-1, 3, side, side).transpose(0, 2, 3, 1), np.array(labels, np.uint8)


def _meta(meta: Any, name: str) -> tuple[str, ...]:
    names = _field(meta, "label_names", name)
    names = tuple(n.decode("latin1") if isinstance(n, bytes) else n
                  for n in (names if isinstance(names, list) else ()))
    if not good_names(names):
        raise DataError(name, "label_names: expected 10 short names")
    return names


def good_names(names: tuple[Any, ...]) -> bool:
    return len(names) == 10 and all(isinstance(n, str) and 0 < len(n) <= 40
                                    and n.isprintable() for n in names)
