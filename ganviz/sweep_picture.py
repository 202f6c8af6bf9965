"""The small multiples of ``ganviz sweep --png``: one cell per variant, drawn with Pillow
(no Qt: it runs headless). 1-D: the real density (blue), the averaged generator's
histogram (orange) and D(x) on 0..1 (green); 2-D: real points (blue) and generated ones
(orange); MNIST: 16 generated digits. Each cell is titled with its variant and figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

CELL_W, CELL_H, TITLE_H, PAD = 300, 220, 40, 8
REAL, FAKE, D_COLOUR, INK = (31, 119, 180), (255, 127, 14), (44, 160, 44), (30, 30, 30)


def draw(run, records: list[dict], path: Path, columns: int | None = None) -> Path:
    """Write ``run``'s variants as a grid PNG to ``path``; ``columns``: cells per row
    (default: the last --vary's number of values, else up to 4)."""
    count = len(run.variants)
    columns = columns or min(4, count)
    rows = math.ceil(count / columns)
    image = Image.new("RGB", (columns * CELL_W, rows * CELL_H), "white")
    pen = ImageDraw.Draw(image)
    pen.font = ImageFont.load_default(size=13)
    for index, (variant, record) in enumerate(zip(run.variants, records, strict=True)):
        x0, y0 = (index % columns) * CELL_W, (index // columns) * CELL_H
        pen.rectangle((x0, y0, x0 + CELL_W - 1, y0 + CELL_H - 1), outline=(200, 200, 200))
        pen.text((x0 + PAD, y0 + 4), variant.name, fill=INK)
        pen.text((x0 + PAD, y0 + 20), _figures(record), fill=(90, 90, 90))
        box = (x0 + PAD, y0 + TITLE_H, x0 + CELL_W - PAD, y0 + CELL_H - PAD)
        trainer = run.trainer(index)
        {"1d": _cell_1d, "2d": _cell_2d, "mnist": _cell_mnist}[trainer.mode](
            image, pen, box, trainer)
    image.save(path, format="PNG")
    return path


def _figures(record: dict) -> str:
    if "confident" in record:
        return f"confident {record['confident']:.0%} · {record.get('diagnosis', '')}"
    js = record.get("js_bits")
    text = "JS –" if js is None else f"JS {js:.4f} bits"
    if record.get("modes_covered") is not None and record.get("mode_shares"):
        text += f" · {record['modes_covered']} of {len(record['mode_shares'])} modes"
    return f"{text} · {record.get('verdict') or record.get('diagnosis', '')}"


def _scaled(values: np.ndarray, low: float, high: float, a: float, b: float) -> np.ndarray:
    span = high - low if high > low else 1.0
    return a + (np.asarray(values, dtype=np.float64) - low) / span * (b - a)


def _line(pen, xs, ys, colour, width=2) -> None:
    points = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)
              if math.isfinite(x) and math.isfinite(y)]
    if len(points) > 1:
        pen.line(points, fill=colour, width=width)


def _cell_1d(image, pen, box, trainer) -> None:
    left, top, right, bottom = box
    e = trainer.evaluate(num_samples=20_000)
    top_density = max(float(np.nanmax(e.real_pdf)), 1e-9) * 1.6
    density = np.minimum(e.gen_density, top_density)
    lo, hi = float(e.x[0]), float(e.x[-1])
    centres = (e.edges[:-1] + e.edges[1:]) / 2
    _line(pen, _scaled(e.x, lo, hi, left, right),
          _scaled(e.real_pdf, 0, top_density, bottom, top), REAL)
    _line(pen, _scaled(centres, lo, hi, left, right),
          _scaled(density, 0, top_density, bottom, top), FAKE)
    d = e.d_curve if e.d_equilibrium == 0.5 else (e.d_curve - np.nanmin(e.d_curve)) / max(
        float(np.nanmax(e.d_curve) - np.nanmin(e.d_curve)), 1e-9)
    _line(pen, _scaled(e.x, lo, hi, left, right), _scaled(d, 0, 1, bottom, top), D_COLOUR)
    pen.line((left, bottom, right, bottom), fill=(120, 120, 120))


def _cell_2d(image, pen, box, trainer) -> None:
    left, top, right, bottom = box
    fake = trainer.sample(1000)
    real = trainer.problem.dataset.sample(1000, torch.Generator().manual_seed(0)).numpy()
    both = np.concatenate((real, fake))
    both = both[np.isfinite(both).all(1)]
    lo, hi = np.percentile(both, 1, axis=0), np.percentile(both, 99, axis=0)
    span = float(max(hi - lo)) * 1.1 or 1.0
    centre = (lo + hi) / 2
    side = min(right - left, bottom - top)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    for points, colour in ((real, REAL), (fake, FAKE)):
        xs = cx + (points[:, 0] - centre[0]) / span * side
        ys = cy - (points[:, 1] - centre[1]) / span * side
        for x, y in zip(xs, ys, strict=True):
            if left <= x <= right and top <= y <= bottom:
                pen.point((float(x), float(y)), fill=colour)


def _cell_mnist(image, pen, box, trainer) -> None:
    left, top, right, bottom = box
    digits = trainer.sample(16)
    size = int(min(right - left, bottom - top) / 4)
    for i, digit in enumerate(digits):
        tile = Image.fromarray((np.clip(digit, 0, 1) * 255).astype(np.uint8)).resize(
            (size, size))
        image.paste(tile, (int(left + (i % 4) * size), int(top + (i // 4) * size)))
