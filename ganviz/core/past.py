"""Drawing a moment of a run's past while the run trains on: what the window shows when
its timeline is dragged back.

A :class:`PastViewer` holds copies of the run's three networks; a snapshot's weights are
loaded into them and the mode's own view is made from those, as a frame's is from the
live networks. The run itself (weights, random streams, the problem's caches) is never
touched, so viewing the past changes no training number.
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import torch

from ganviz.core.protocol import Snapshot


class _Moment:
    """What a mode's view_data reads of a trainer, for one past iteration."""

    def __init__(self, networks: dict, step: int, eval_rng: torch.Generator) -> None:
        self.generator = networks["generator"]
        self.generator_ema = networks["generator_ema"]
        self.discriminator = networks["discriminator"]
        self.step_count = step
        self.eval_rng = eval_rng


class PastViewer:
    """Snapshots of ``trainer``'s past as frames' snapshots (see the module's docstring)."""

    def __init__(self, trainer) -> None:
        self.trainer = trainer
        self.networks = {name: copy.deepcopy(getattr(trainer, name)).eval()
                         for name in ("generator", "generator_ema", "discriminator")}
        self.eval_rng = torch.Generator(trainer.device)

    def fits(self, trainer) -> bool:
        """Made for this run's networks (a Reset or an opened session builds new ones)."""
        return trainer is self.trainer and all(
            _shapes(getattr(trainer, name)) == _shapes(network)
            for name, network in self.networks.items())

    @torch.no_grad()
    def snapshot(self, state: dict, live: Snapshot) -> Snapshot:
        """The frame's snapshot for the past ``state`` (a timeline snapshot): its networks
        and iteration, with ``live``'s settings and curves (the curves show the whole run;
        the window marks the moment on them)."""
        for name, network in self.networks.items():
            network.load_state_dict(state[name])
        self.eval_rng.set_state(state["eval_rng"])
        moment = _Moment(self.networks, int(state["step_count"]), self.eval_rng)
        problem = self.trainer.problem
        view = problem.past_view_data(moment, live.settings) if hasattr(
            problem, "past_view_data") else problem.view_data(moment, live.settings)
        return replace(live, step=moment.step_count, d_updates=int(state["d_updates"]),
                       g_updates=int(state["g_updates"]), view=view)


def _shapes(network: torch.nn.Module) -> list[tuple]:
    return [tuple(value.shape) for value in network.state_dict().values()]


def steps_array(steps: list[int]) -> np.ndarray:
    return np.asarray(steps, dtype=np.int64)
