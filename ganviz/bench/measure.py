"""The headless and plain measurements of ``ganviz bench``, and the load of other processes.

- **headless**: :class:`~ganviz.core.trainer.Trainer` stepped by the loop of ``ganviz train``;
- **plain**: the same networks and loss in the PyTorch loop a user would otherwise write.

Both use the app's torch thread count for the preset
(:func:`ganviz.core.runtime.configure_threads`); torch is imported only when they run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from ganviz.core import presets


class OtherLoad:
    """CPU used by other processes while a measurement runs (Linux: from /proc/stat).

    The machine's busy time minus this process's and its waited-for children's (the
    window process and, through it, its trainer). ``cores`` is None where unknown.
    """

    def __init__(self) -> None:
        self._start = self._read()
        self.cores: float | None = None
        self.seconds: tuple[float, float] | None = None

    @staticmethod
    def _read() -> tuple[float, float, float] | None:
        try:
            with open("/proc/stat", encoding="ascii") as stat:
                fields = [int(x) for x in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal: all but idle and iowait are busy
        busy = sum(fields[:3]) + sum(fields[5:8])
        times = os.times()
        own = times.user + times.system + times.children_user + times.children_system
        return busy / os.sysconf("SC_CLK_TCK"), own, time.perf_counter()

    def stop(self) -> tuple[float, float] | None:
        """(other processes' CPU seconds, wall seconds), and sets ``cores``."""
        end = self._read()
        if self._start is None or end is None:
            return None
        other = max(0.0, (end[0] - self._start[0]) - (end[1] - self._start[1]))
        wall = end[2] - self._start[2]
        self.cores = other / wall if wall > 0 else 0.0
        self.seconds = (other, wall)
        return self.seconds


def threads_for(name: str) -> int:
    from ganviz.core import runtime

    return runtime.configure_threads(presets.get(name).mode)


# ----------------------------------------------------------------------------- headless
def headless_rate(name: str, seconds: float, device: str | None = None) -> float:
    """Iterations per second of ``ganviz train``'s loop (metric lines excluded)."""
    from ganviz.core import headless
    from ganviz.core.trainer import Trainer

    threads_for(name)
    trainer = Trainer(name, {"device": device} if device else None)
    trainer.run(3)  # the first iterations allocate
    summary = headless.run(trainer, seconds=seconds, log_every=10**9, progress=False)
    return summary.iterations_per_second


# -------------------------------------------------------------------------------- plain
def plain_loop(name: str, device: str | None = None) -> Callable[[], tuple[float, float]]:
    """One iteration of the plain PyTorch loop for ``name``, as a tutorial writes it.

    The same networks (built from the seed by the preset's own builder), the same data
    and noise, learning rates and betas, the standard non-saturating loss, but the loop
    everyone writes: separate real and fake passes through D, zero_grad / backward /
    step, torch's default Adam, the losses read out every iteration. Returns those losses.
    """
    import torch
    from torch import nn

    from ganviz.core.trainer import Trainer

    # Only for its networks (on its device), data and settings.
    reference = Trainer(name, {"device": device} if device else None)
    problem, s = reference.problem, reference.settings
    g, d = reference.generator, reference.discriminator
    batch, k, k_g = s["batch_size"], s["k"], s["k_g"]
    rng = torch.Generator(reference.device).manual_seed(s["seed"])

    def adam(network: nn.Module, trained_by: torch.optim.Optimizer) -> torch.optim.Adam:
        group = trained_by.param_groups[0]  # the same learning rate and betas, if Adam's
        return torch.optim.Adam(network.parameters(), lr=group["lr"],
                                betas=group.get("betas", (0.9, 0.999)))

    opt_g, opt_d = adam(g, reference.opt_g), adam(d, reference.opt_d)
    criterion = nn.BCEWithLogitsLoss()  # D outputs a logit
    ones = torch.ones(batch, 1, device=reference.device)
    zeros = torch.zeros(batch, 1, device=reference.device)

    coded = bool(s.get("info_codes") or s.get("info_continuous"))
    info_weight = s.get("info_weight", 0.0)

    def iteration() -> tuple[float, float]:
        for _ in range(k):
            real = problem.real_batch(batch, rng)
            opt_d.zero_grad()
            if coded:  # InfoGAN as its tutorials write it: Q's loss joins both
                noise, codes = problem.noise_and_codes(batch, rng)
                fake = g(noise)
                judged, guesses = d.forward_with_codes(fake.detach())
                loss_d = (criterion(d(real), ones) + criterion(judged, zeros)
                          + info_weight * problem.code_loss(guesses, codes))
            else:
                fake = g(problem.noise(batch, rng))
                loss_d = criterion(d(real), ones) + criterion(d(fake.detach()), zeros)
            loss_d.backward()
            opt_d.step()
        for _ in range(k_g):
            opt_g.zero_grad()
            if coded:
                noise, codes = problem.noise_and_codes(batch, rng)
                judged, guesses = d.forward_with_codes(g(noise))
                loss_g = criterion(judged, ones) + info_weight * problem.code_loss(guesses, codes)
            else:
                loss_g = criterion(d(g(problem.noise(batch, rng))), ones)  # -log D(G(z))
            loss_g.backward()
            opt_g.step()
        return loss_d.item(), loss_g.item()

    return iteration


def plain_rate(name: str, seconds: float, device: str | None = None) -> float:
    threads_for(name)
    iteration = plain_loop(name, device)
    losses = [iteration() for _ in range(3)]  # the first iterations allocate
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        losses.append(iteration())
        done += 1
    return done / (time.perf_counter() - start)
