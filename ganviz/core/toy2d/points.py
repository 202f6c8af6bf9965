"""2-D points from hand-drawn strokes and from files, checked; numpy only (no torch), so
the window can read them without importing torch on its thread."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

MAX_POINTS = 1_000_000  # a points file larger than this is refused, not loaded
MIN_POINTS = 2
MAX_COORDINATE = 1e6


class PointsError(ValueError):
    """Points that cannot be used; ``str()`` is one line naming the file."""


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
        points = _read_npy(path, name) if suffix == ".npy" else _read_csv(path)
    except PointsError:
        raise
    except FileNotFoundError:
        raise PointsError(f"{name}: no such file") from None
    except MemoryError:
        raise PointsError(f"{name}: too large to load") from None
    except (OSError, ValueError, EOFError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise PointsError(f"{name}: cannot be read ({reason})") from None
    return check_points(points, name)


def _read_npy(path: Path, name: str) -> np.ndarray:
    if zipfile.is_zipfile(path):
        raise PointsError(f"{name}: an .npz archive, not a .npy array")
    # The header's shape is checked before the data are read, so a small file claiming a
    # huge array cannot exhaust memory.
    with open(path, "rb") as file:
        version = np.lib.format.read_magic(file)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, _, _ = read_header(file)
    if len(shape) != 2 or shape[1] != 2:
        raise PointsError(f"{name}: expected an array of shape (N, 2), got shape {shape}")
    if shape[0] > MAX_POINTS:
        raise PointsError(f"{name}: {shape[0]:,} points; expected {MIN_POINTS} to "
                          f"{MAX_POINTS:,}")
    # No pickle: a .npy holding Python objects could run code when loaded.
    return np.load(path, allow_pickle=False)


def _read_csv(path: Path) -> np.ndarray:
    rows = []
    with open(path, encoding="utf-8", errors="strict") as file:
        for number, line in enumerate(file, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            fields = [f.strip() for f in text.replace(";", ",").split(",")]
            if len(fields) != 2:
                raise PointsError(f"{path.name}: line {number} has {len(fields)} columns; "
                                  f"expected 2 (x, y)")
            try:
                rows.append((float(fields[0]), float(fields[1])))
            except ValueError:
                if rows:  # only the first data line may be a header
                    raise PointsError(f"{path.name}: line {number} is not two numbers: "
                                      f"{text[:40]!r}") from None
            if len(rows) > MAX_POINTS:  # stop reading: the file is refused anyway
                raise PointsError(f"{path.name}: more than {MAX_POINTS:,} points")
    return np.array(rows, dtype=np.float64).reshape(-1, 2)
