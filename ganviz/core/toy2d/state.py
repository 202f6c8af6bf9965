"""What the 2-D view is sent each frame: the networks' weights and the data it shows.

Plain numpy, free of torch and Qt: the window unpickles it in its relay thread, and
importing torch there would add seconds before its first drawn frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Toy2DState:
    """The 2-D networks and what the view needs of the data, as plain numpy."""

    step: int
    generator: dict[str, np.ndarray]  # the averaged (EMA) generator: the one measured
    raw_generator: dict[str, np.ndarray] | None  # the trained generator (None: the same)
    discriminator: dict[str, np.ndarray]
    spec: dict  # how the networks are built (Toy2D.spec)
    loss: str
    label_smoothing: float
    noise: str
    noise_range: float
    seed: int  # the fixed noise of the drawn fake points derives from it
    offset: np.ndarray  # (2,): the networks see (x - offset) / scale
    scale: float
    bounds: tuple[float, float, float, float]  # the square the data are drawn in
    # float32 (N, 2): a fixed sample of the real data; None when it is the same as in the
    # previous frame (the receiver keeps it: it is sent once per dataset)
    real_points: np.ndarray | None
    dataset: str  # its description
    modes: np.ndarray | None  # (M, 2) for mixtures of Gaussians
    mode_sigma: float
