"""Process-wide torch settings chosen per workload."""

from __future__ import annotations

# The 1-D toy's networks are a few thousand weights: each step is dominated by per-op
# overhead, and a second intra-op thread only adds synchronisation (and steals the core
# the window draws on). Measured here: two torch users with 2 threads each on 2 cores
# made a tiny loop 5-50x slower.
# MNIST's convolutions and wide layers are real arithmetic: both cores help.
THREADS_BY_MODE = {"1d": 1, "mnist": 2}


def configure_threads(mode: str) -> int:
    """Set torch's intra-op thread count for ``mode`` in the calling thread; returns it.

    Call it from the thread that trains: OpenMP's thread count is per thread.
    ``$GANVIZ_TORCH_THREADS`` overrides the choice.
    """
    import os

    import torch

    override = os.environ.get("GANVIZ_TORCH_THREADS", "")
    threads = int(override) if override.isdigit() and int(override) > 0 else (
        THREADS_BY_MODE.get(mode, 1))
    torch.set_num_threads(threads)
    return threads


def resolve_device(name: str):
    """The torch device for the ``device`` setting; SettingError if it is not here."""
    import torch

    from ganviz.core.config import SettingError

    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if name == "cuda" and not cuda:
        raise SettingError("device: cuda is not available here (this torch build or machine "
                           "has no CUDA GPU); use auto or cpu")
    if name == "mps" and not mps:
        raise SettingError("device: mps is not available here (Apple GPUs only); use auto "
                           "or cpu")
    return torch.device(name)


def available_devices() -> tuple[str, ...]:
    """The values of the ``device`` setting that work on this machine."""
    from ganviz.core.config import DEVICES, SettingError

    usable = []
    for name in DEVICES:
        try:
            resolve_device(name)
        except SettingError:
            continue
        usable.append(name)
    return tuple(usable)
