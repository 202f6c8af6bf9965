"""2-D points from hand-drawn strokes and from files, checked; numpy only (no torch), so
the window can read them without importing torch on its thread.

A points file is a user's file, so what reading it may cost is bounded before it is
paid: the file's size is capped, a .npy's header (shape and dtype) is checked before
its data are read and must match the file's size exactly, no pickles are loaded, and a
.csv is read line by line with each line's length and the number of rows capped.
"""

from __future__ import annotations

import array
import os
import stat
import zipfile
from pathlib import Path
from typing import IO

import numpy as np

MAX_POINTS = 1_000_000  # a points file larger than this is refused, not loaded
MIN_POINTS = 2
MAX_COORDINATE = 1e6
# A .csv of MAX_POINTS rows of full-precision floats ("-1.2345678901234567e-05,...")
# is under 50 MB; twice that leaves room for comments and spacing. A .npy of MAX_POINTS
# points is at most 32 MB (16-byte floats). A larger file is refused before reading.
MAX_FILE_BYTES = 100 * 2**20
# Far longer than any "x,y" row or header line; a longer line is not points, and reading
# it whole (a file of one enormous line) would cost its full size in memory.
MAX_LINE_CHARS = 4096
# What a .npy may hold: integers or floats, at most 16 bytes each (np.longdouble).
_NPY_KINDS = "iuf"


class PointsError(ValueError):
    """Points that cannot be used; ``str()`` is one line naming the file."""

    def __str__(self) -> str:
        # One line even when a file's name or a quoted value holds a line break.
        return " ".join(super().__str__().split())


def strokes_to_points(strokes: list[np.ndarray], spacing: float = 0.01) -> np.ndarray:
    """Points evenly spaced along hand-drawn strokes (polylines), ``spacing`` apart.

    A stroke of one point (a click) stays a point. Spacing points by arc length makes
    the density even along each stroke, however fast the mouse moved.
    """
    points = []
    for stroke in strokes:
        stroke = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(stroke) == 0:
            continue
        if len(stroke) == 1:
            points.append(stroke)
            continue
        lengths = np.hypot(*np.diff(stroke, axis=0).T)
        arc = np.concatenate(([0.0], np.cumsum(lengths)))
        if arc[-1] == 0.0:
            points.append(stroke[:1])
            continue
        at = np.linspace(0.0, arc[-1], max(2, int(arc[-1] / spacing) + 1))
        points.append(np.stack((np.interp(at, arc, stroke[:, 0]),
                                np.interp(at, arc, stroke[:, 1])), 1))
    if not points:
        raise PointsError("the drawing is empty: draw at least one stroke")
    return np.concatenate(points).astype(np.float32)


def check_points(points: np.ndarray, name: str) -> np.ndarray:
    """``points`` as float32 (N, 2) if they are usable data, else PointsError naming ``name``."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise PointsError(f"{name}: expected an array of shape (N, 2), got shape "
                          f"{tuple(points.shape)}")
    if not (np.issubdtype(points.dtype, np.integer) or np.issubdtype(points.dtype, np.floating)):
        raise PointsError(f"{name}: expected numbers, got {points.dtype}")
    if not MIN_POINTS <= len(points) <= MAX_POINTS:
        raise PointsError(f"{name}: {len(points):,} points; expected {MIN_POINTS} to "
                          f"{MAX_POINTS:,}")
    # Any bit pattern may come from a file: casting a signalling NaN or a float too large
    # for float64 makes numpy warn. Such values are refused just below, so ignore that.
    with np.errstate(invalid="ignore", over="ignore"):
        points = points.astype(np.float64)
    if not np.isfinite(points).all():
        raise PointsError(f"{name}: contains NaN or infinite values")
    if float(np.abs(points).max()) > MAX_COORDINATE:
        raise PointsError(f"{name}: coordinates beyond ±1e6; scale the data first")
    return points.astype(np.float32)


def load_points(path: str | Path) -> np.ndarray:
    """Points from a ``.csv`` (two numeric columns, an optional header line) or a ``.npy``
    of shape (N, 2); float32 (N, 2). Raises PointsError with one line naming the file."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".npy"):
        raise PointsError(f"{name}: expected a .csv file with two columns or a .npy array "
                          f"of shape (N, 2)")
    try:
        points = _read_npy(path, name) if suffix == ".npy" else _read_csv(path, name)
    except PointsError:
        raise
    except FileNotFoundError:
        raise PointsError(f"{name}: no such file") from None
    except MemoryError:
        raise PointsError(f"{name}: too large to load") from None
    except (OSError, ValueError, EOFError) as error:
        # The first line only, and not all of it: numpy quotes whole (hostile) headers.
        lines = [text.strip() for text in str(error).splitlines() if text.strip()]
        reason = lines[0][:200] if lines else type(error).__name__
        raise PointsError(f"{name}: cannot be read ({reason})") from None
    return check_points(points, name)


def _regular_size(file: IO, name: str) -> int | None:
    """The open file's size if it is a regular file (else None), refused above the cap."""
    info = os.fstat(file.fileno())
    if not stat.S_ISREG(info.st_mode):
        return None  # a pipe or device: the line, row and shape caps still bound it
    if info.st_size > MAX_FILE_BYTES:
        raise PointsError(f"{name}: {info.st_size:,} bytes; a points file may be at most "
                          f"{MAX_FILE_BYTES:,}")
    return info.st_size


def _npy_header(file: IO[bytes], name: str) -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype a .npy's header claims (numpy's own parser, bounded to 10,000
    header bytes by numpy)."""
    try:
        version = np.lib.format.read_magic(file)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read_header(file)
    except OSError:
        raise
    except Exception as error:
        # numpy parses the header's Python-literal text with ast and tokenize, which
        # raise more than ValueError on a damaged header (tokenize.TokenError, for one).
        # Whatever the parser raises, the file is not a .npy we can read.
        reason = " ".join(str(error).split())[:80] or type(error).__name__
        raise PointsError(f"{name}: cannot be read (not a valid .npy header: {reason})") from None
    return shape, dtype


def _read_npy(path: Path, name: str) -> np.ndarray:
    if zipfile.is_zipfile(path):
        raise PointsError(f"{name}: an .npz archive, not a .npy array")
    with open(path, "rb") as file:
        size = _regular_size(file, name)
        # The header's shape and dtype are checked before the data are read, so a small
        # file claiming a huge array, or an array of objects, costs nothing.
        shape, dtype = _npy_header(file, name)
        if len(shape) != 2 or shape[1] != 2:
            raise PointsError(f"{name}: expected an array of shape (N, 2), got shape {shape}")
        if not 0 <= shape[0] <= MAX_POINTS:
            raise PointsError(f"{name}: {shape[0]:,} points; expected {MIN_POINTS} to "
                              f"{MAX_POINTS:,}")
        if dtype.kind not in _NPY_KINDS or dtype.itemsize > 16:
            raise PointsError(f"{name}: expected numbers, got {dtype}")
        # np.save writes exactly header + data: a shorter file is truncated, a longer one
        # holds something else as well. Either way it is not the array it claims to be.
        expected = file.tell() + shape[0] * 2 * dtype.itemsize
        if size is not None and size != expected:
            problem = "truncated" if size < expected else "trailing garbage"
            raise PointsError(f"{name}: {problem}: its header says {shape[0]:,} points of "
                              f"{dtype} ({expected:,} bytes) but the file holds {size:,}")
        file.seek(0)
        # No pickle: a .npy holding Python objects could run code when loaded.
        return np.lib.format.read_array(file, allow_pickle=False)


def _read_csv(path: Path, name: str) -> np.ndarray:
    values = array.array("d")  # 16 bytes a row, where a list of tuples would take ~100
    rows = 0
    read = 0
    with open(path, encoding="utf-8", errors="strict") as file:
        _regular_size(file, name)
        number = 0
        # readline with a limit: an enormous line is refused after MAX_LINE_CHARS, never
        # read whole.
        while line := file.readline(MAX_LINE_CHARS + 1):
            number += 1
            read += len(line)
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                raise PointsError(f"{name}: line {number} is longer than "
                                  f"{MAX_LINE_CHARS:,} characters")
            if read > MAX_FILE_BYTES:  # a pipe, whose size was not known up front
                raise PointsError(f"{name}: more than {MAX_FILE_BYTES:,} characters")
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            fields = [f.strip() for f in text.replace(";", ",").split(",")]
            if len(fields) != 2:
                raise PointsError(f"{name}: line {number} has {len(fields)} columns; "
                                  f"expected 2 (x, y)")
            try:
                x, y = float(fields[0]), float(fields[1])
            except ValueError:
                if rows:  # only the first data line may be a header
                    raise PointsError(f"{name}: line {number} is not two numbers: "
                                      f"{text[:40]!r}") from None
                continue
            values.extend((x, y))
            rows += 1
            if rows > MAX_POINTS:  # stop reading: the file is refused anyway
                raise PointsError(f"{name}: more than {MAX_POINTS:,} points")
    return np.frombuffer(values, dtype=np.float64).reshape(-1, 2).copy()
