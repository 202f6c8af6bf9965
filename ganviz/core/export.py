"""Metrics as CSV or JSONL files, from the curves a run keeps (torch- and Qt-free).

The window keeps the training curves (bucket means over iterations, at most 1,024
points) and the evaluations' measures (JS, V(D, G), KL: one point per drawn evaluation).
A row per curve point carries the same names as ``ganviz train --metrics``; each measure
is the latest evaluation at or before that iteration (empty where none was made yet).
Files are written to a temporary name and renamed when complete.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from ganviz.core.atomic import atomic_write
from ganviz.core.theory import CURVES

MEASURES_BY_MODE = {"1d": ("js_bits", "value"), "2d": ("kl_bits", "js_bits"), "mnist": ()}


def metrics_rows(history: dict[str, np.ndarray], evaluations: dict[str, np.ndarray] | None,
                 mode: str) -> tuple[list[str], list[dict]]:
    """(columns, rows): ``step`` and the curves, then the mode's measures."""
    measures = MEASURES_BY_MODE.get(mode, ()) if evaluations is not None else ()
    columns = ["step", *CURVES, *measures]
    steps = np.asarray(history["step"])
    rows = []
    if measures and len(evaluations["step"]):
        # The latest evaluation at or before each step (-1: none yet).
        latest = np.searchsorted(evaluations["step"], steps, side="right") - 1
    else:
        latest = np.full(len(steps), -1)
    for index, step in enumerate(steps):
        row: dict = {"step": int(step)}
        for name in CURVES:
            row[name] = _number(history[name][index])
        for name in measures:
            row[name] = _number(evaluations[name][latest[index]]) if latest[index] >= 0 \
                else None
        rows.append(row)
    return columns, rows


def _number(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None  # JSON has no NaN; CSV gets ""


def write_metrics(path: str | Path, columns: list[str], rows: list[dict]) -> Path:
    """CSV if ``path`` ends in .csv, else JSONL (one object per line); atomic."""
    path = Path(path)
    with atomic_write(path, "w", encoding="utf-8", newline="") as file:
        if path.suffix.lower() == ".csv":
            writer = csv.DictWriter(file, fieldnames=columns)
            writer.writeheader()
            writer.writerows({k: ("" if v is None else v) for k, v in row.items()}
                             for row in rows)
        else:
            for row in rows:
                file.write(json.dumps(row) + "\n")
    return path
