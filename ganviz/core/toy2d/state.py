"""What the 2-D view is sent each frame: the networks' weights (see
:mod:`ganviz.core.network_state`) and the data it shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganviz.core.network_state import NetworkState


@dataclass
class Toy2DState(NetworkState):
    """The 2-D networks and what the view needs of the data, as plain numpy."""

    # None where it is the same as the averaged one (no averaging): sent once
    raw_generator: dict[str, np.ndarray] | None
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
