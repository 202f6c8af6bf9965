"""What the 1-D view is sent each frame: the networks' weights.

Plain numpy, free of torch and Qt: the window unpickles it in its relay thread, and
importing torch there would add seconds before its first drawn frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ModelState:
    """The networks, the target and the objective at one iteration, as plain numpy."""

    step: int
    generator: dict[str, np.ndarray]  # the averaged (EMA) generator: the one drawn
    raw_generator: dict[str, np.ndarray]  # the trained generator
    discriminator: dict[str, np.ndarray]
    spec: dict  # how the networks are built (Toy1D.spec)
    target: dict  # the target's settings
    loss: str
    label_smoothing: float
    noise: str
    noise_range: float
    batch_size: int
    offset: float  # the networks see (x - offset) / scale
    scale: float
