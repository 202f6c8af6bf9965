"""Many arrows as one curve item: G's push on the plane and in slow motion."""

from __future__ import annotations

import numpy as np


def arrow_segments(starts: np.ndarray, vectors: np.ndarray, width: float) -> np.ndarray:
    """Line segments (pairs of rows) drawing an arrow from each start along its vector: the
    shaft and the two strokes of its head. One curve item draws them all, which costs a
    fraction of 500 separate arrow items."""
    tips = starts + vectors
    lengths = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, lengths, out=np.zeros_like(vectors), where=lengths > 0)
    head = np.minimum(0.35 * lengths, 0.02 * width)  # short arrows get small heads
    segments = np.empty((6 * len(starts), 2), dtype=np.float32)
    segments[0::6], segments[1::6] = starts, tips
    for offset, angle in ((2, 0.45), (4, -0.45)):  # the head's strokes, +-26 degrees back
        c, s = np.cos(angle), np.sin(angle)
        back = np.stack((c * unit[:, 0] - s * unit[:, 1], s * unit[:, 0] + c * unit[:, 1]), 1)
        segments[offset::6] = tips
        segments[offset + 1::6] = tips - head * back
    return segments
