"""What the 1-D view is sent each frame: the networks' weights (see
:mod:`ganviz.core.network_state`), the target and the inputs' scale."""

from __future__ import annotations

from dataclasses import dataclass

from ganviz.core.network_state import NetworkState


@dataclass
class ModelState(NetworkState):
    """The networks, the target and the objective at one iteration, as plain numpy."""

    target: dict  # the target's settings
    batch_size: int
    offset: float  # the networks see (x - offset) / scale
    scale: float
