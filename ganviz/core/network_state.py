"""What the toys' views are sent each frame in common: the networks' weights, as numpy.

Plain numpy, free of torch and Qt: the window unpickles these in its relay thread, and
importing torch there would add seconds before its first drawn frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class NetworkState:
    """The networks and the objective at one iteration, as plain numpy."""

    step: int
    generator: dict[str, np.ndarray]  # the averaged (EMA) generator: the one drawn
    raw_generator: dict[str, np.ndarray]  # the trained generator
    discriminator: dict[str, np.ndarray]
    spec: dict  # how the networks are built (the problem's spec)
    loss: str
    label_smoothing: float
    noise: str
    noise_range: float
