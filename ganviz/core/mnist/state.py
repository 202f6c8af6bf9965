"""What the MNIST view is sent each frame: the sample grids and the class counts.

Plain numpy, free of torch and Qt: the window unpickles it in its relay thread, and
importing torch there would add seconds before its first drawn frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NOISE_GRID_TITLE = "Generated digits (same noise every frame)"  # the default grid's title
GRID_SIDE = 8  # the sample grid is GRID_SIDE x GRID_SIDE digits
GRID_GAP = 2  # pixels between digits
# The latent explorer (core/mnist/latent.py): digits between two cells; the pad's reach
# along each of its two directions (z's own scale is 1).
INTERPOLATION_STEPS = 12
PAD_RANGE = 3.0


@dataclass
class ImagesViewData:
    """What the MNIST view draws, as plain numpy."""

    step: int
    samples_grid: np.ndarray  # uint8, the generated samples tiled (see grid_layout)
    grid_layout: str  # the `sample_grid` layout drawn (noise, codes, continuous)
    grid_title: str  # what the grid shows, in words
    real_grid: np.ndarray | None  # uint8, real digits tiled the same way; first frame only
    class_counts: np.ndarray | None  # int64 (10,), or None before the first classification
    confident_counts: np.ndarray | None  # the same, counting only samples with p >= 0.9
    confident: float
    coverage: float
    classified_step: int
    data_source: str
    # The same digits against real ones (core/mnist/quality.py): Fréchet distance on the
    # classifier's features, and k-NN precision and recall.
    fd: float = float("nan")
    precision: float = float("nan")
    recall: float = float("nan")
    # A conditional preset: the share classified as the digit asked for (else NaN), and
    # the digit the grid and the bars ask for ("all": 0-9).
    class_accuracy: float = float("nan")
    conditional: bool = False
    digit: str = "all"
    # False for images the shipped digit classifier cannot judge (Fashion-MNIST, CIFAR-10,
    # a folder of pictures): no class bars, no quality chart.
    classified: bool = True
