"""A folder of pictures as training data: found recursively, centre-cropped and resized
once to a preset's size, and kept in the user's cache as raw uint8, memory-mapped.

The cache is keyed by the folder's contents (every picture's relative path, size and
modification time) and by the size and colour asked for, so a second run on the same
folder starts at once and a changed folder is prepared again. A folder may be hostile:
at most ``MAX_IMAGES`` pictures are read (the first in name order), a file over
``MAX_FILE_BYTES`` or a picture over ``MAX_PIXELS`` is skipped unread, and a cache file
is mapped only once its size matches what its description says. Torch-free and Qt-free.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganviz.core.atomic import atomic_path
from ganviz.core.images.dataset import ImageSet, cache_root
from ganviz.core.mnist.idx import DataError

__all__ = ["IMAGE_SUFFIXES", "MAX_IMAGES", "FolderReport", "load_folder", "prepare_folder"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# 200,000 pictures (CelebA has 202,599) at 64x64x3 are 2.4 GB of cache, mapped rather than
# loaded: pages are read as batches ask for them.
MAX_IMAGES = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 6,000 x 6,000 photograph is 36 M
CACHE_VERSION = 1  # part of the key: a change to the preparation prepares anew

# Called with (pictures done, pictures in all); True from ``cancel`` stops the work.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FolderReport:
    """What a preparation found: pictures kept, skipped as unreadable, and left out
    beyond MAX_IMAGES."""

    kept: int
    skipped: int
    left_out: int

    def line(self, folder: Path) -> str:
        parts = [f"{self.kept:,} pictures from {folder}"]
        if self.skipped:
            parts.append(f"{self.skipped:,} unreadable skipped")
        if self.left_out:
            parts.append(f"{self.left_out:,} beyond the first {MAX_IMAGES:,} left out")
        return "; ".join(parts)


class PreparationCancelled(Exception):
    pass


def find_pictures(folder: Path) -> tuple[list[Path], int]:
    """The folder's pictures (by suffix, recursively, links not followed), in name order:
    at most MAX_IMAGES of them, and how many more there were."""
    if not folder.is_dir():
        raise DataError(str(folder), "not a folder")
    found = sorted(Path(root) / name for root, _, files in os.walk(folder, followlinks=False)
                   for name in files
                   if name.lower().endswith(IMAGE_SUFFIXES) and not name.startswith("."))
    return found[:MAX_IMAGES], max(0, len(found) - MAX_IMAGES)


def _key(folder: Path, pictures: list[Path], size: int, channels: int) -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION} {size} {channels}\n".encode())
    for path in pictures:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                      .encode(errors="surrogateescape"))
    return digest.hexdigest()[:32]


def read_picture(path: Path, size: int, channels: int) -> np.ndarray | None:
    """One picture, centre-cropped to a square and resized to ``size``: uint8 (size, size,
    channels), or None when it cannot be read or is too big to read."""
    from PIL import Image

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        with Image.open(path) as picture:
            width, height = picture.size
            if width * height > MAX_PIXELS or width < 1 or height < 1:
                return None
            mode = "L" if channels == 1 else "RGB"
            # JPEG decodes at a power-of-two reduction still at least twice the size.
            picture.draft(mode, (2 * size, 2 * size))
            picture = picture.convert(mode)
            width, height = picture.size
            side = min(width, height)
            left, top = (width - side) // 2, (height - side) // 2
            square = picture.crop((left, top, left + side, top + side))
            resized = square.resize((size, size), Image.Resampling.BILINEAR,
                                    reducing_gap=2.0)
            pixels = np.asarray(resized, dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return pixels.reshape(size, size, channels)


def prepare_folder(folder: str | os.PathLike[str], size: int, channels: int,
                   progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> tuple[ImageSet, FolderReport]:
    """The folder's pictures at ``size`` x ``size`` with ``channels`` (1 grey, 3 colour),
    prepared once into the cache and mapped from there. Raises DataError (one line) for a
    folder with no picture or none readable, PreparationCancelled when ``cancel`` says."""
    folder = Path(folder).expanduser().resolve()
    pictures, left_out = find_pictures(folder)
    if not pictures:
        raise DataError(str(folder), "no PNG or JPEG picture here (nor in its subfolders)")
    cache = cache_root() / "folders"
    key = _key(folder, pictures, size, channels)
    described = cache / f"{key}.json"
    loaded = _load_cached(described, cache / f"{key}.u8", size, channels)
    if loaded is not None:
        return loaded
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(str(cache), f"cannot create this cache folder: {error.strerror}") \
            from None
    kept = skipped = 0
    with atomic_path(cache / f"{key}.u8") as partial, open(partial, "wb") as out:
        for done, path in enumerate(pictures):
            if cancel is not None and cancel():
                raise PreparationCancelled(f"preparing {folder} cancelled")
            pixels = read_picture(path, size, channels)
            if pixels is None:
                skipped += 1
            else:
                out.write(pixels.tobytes())
                kept += 1
            if progress is not None and (done % 64 == 0 or done + 1 == len(pictures)):
                progress(done + 1, len(pictures))
        if not kept:
            raise DataError(str(folder), f"none of its {len(pictures):,} pictures could be "
                                         f"read")
    with atomic_path(described) as partial:
        Path(partial).write_text(json.dumps({
            "count": kept, "size": size, "channels": channels, "skipped": skipped,
            "left_out": left_out, "folder": str(folder)}))
    loaded = _load_cached(described, cache / f"{key}.u8", size, channels)
    if loaded is None:
        raise DataError(str(cache), f"the pictures of {folder} could not be read back")
    return loaded


def _load_cached(described: Path, raw: Path, size: int,
                 channels: int) -> tuple[ImageSet, FolderReport] | None:
    """A prepared folder from the cache, or None when it is missing or does not match its
    description (a damaged cache is prepared again)."""
    try:
        if described.stat().st_size > 64 * 1024:
            return None
        meta = json.loads(described.read_text())
        count = int(meta["count"])
        if (meta["size"], meta["channels"]) != (size, channels) or not \
                0 < count <= MAX_IMAGES or raw.stat().st_size != count * size * size * channels:
            return None
        pixels = np.memmap(raw, dtype=np.uint8, mode="r", shape=(count, size, size, channels))
        report = FolderReport(count, int(meta["skipped"]), int(meta["left_out"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    folder = Path(str(meta.get("folder", "")))
    return ImageSet(pixels, None, report.line(folder)), report


def load_folder(folder: str | os.PathLike[str], size: int, channels: int,
                progress: Progress | None = None) -> ImageSet:
    """:func:`prepare_folder`'s images alone."""
    return prepare_folder(folder, size, channels, progress)[0]
