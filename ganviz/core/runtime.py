"""Process-wide torch settings chosen per workload."""

from __future__ import annotations

# The 1-D toy's networks are a few thousand weights: each step is dominated by per-op
# overhead, and a second intra-op thread only adds synchronisation (and steals the core
# the window draws on). Measured here: two torch users with 2 threads each on 2 cores
# made a tiny loop 5-50x slower.
# MNIST's convolutions and wide layers are real arithmetic: both cores help. So are a
# sweep's batched variants (16 copies of a toy's products at once): 12.1 against 16.1 ms
# an iteration of the 16-variant gaussian sweep with 2 threads against 1.
THREADS_BY_MODE = {"1d": 1, "mnist": 2, "sweep": 2}


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


# Where `auto` trains each workload when a GPU is present. The toys' networks are a few
# thousand weights, so each step is a few dozen tiny kernels, and launching them costs more
# than the arithmetic: measured on an H100 machine (16 cores; `ganviz bench`), gaussian ran
# 596 it/s on its CPU and 226 on CUDA, while mnist ran 84 on the CPU and 220 on CUDA
# (mnist-dcgan 7.5 and 76).
GPU_MODES = frozenset({"mnist"})


def _gpus_here() -> tuple[bool, bool]:
    """(CUDA, Apple's MPS) usable by this torch on this machine."""
    import torch

    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    return torch.cuda.is_available(), mps


def check_available(name: str) -> None:
    """SettingError, in one line, if the ``device`` value ``name`` cannot be used here."""
    from ganviz.core.config import SettingError

    cuda, mps = _gpus_here()
    if name == "cuda" and not cuda:
        raise SettingError("device: cuda is not available here (this torch build or machine "
                           "has no CUDA GPU); use auto or cpu")
    if name == "mps" and not mps:
        raise SettingError("device: mps is not available here (Apple GPUs only); use auto "
                           "or cpu")


def resolve_device(name: str, mode: str):
    """The torch device for the ``device`` setting of a ``mode`` workload; SettingError if
    it is not here. ``auto`` is the fastest device here: a GPU (CUDA, else Apple's MPS) for
    the modes in GPU_MODES when one is present, the CPU otherwise."""
    import torch

    check_available(name)
    if name == "auto":
        cuda, mps = _gpus_here()
        gpu = "cuda" if cuda else "mps" if mps else "cpu"
        return torch.device(gpu if mode in GPU_MODES else "cpu")
    return torch.device(name)


def available_devices() -> tuple[str, ...]:
    """The values of the ``device`` setting that work on this machine."""
    from ganviz.core.config import DEVICES, SettingError

    usable = []
    for name in DEVICES:
        try:
            check_available(name)
        except SettingError:
            continue
        usable.append(name)
    return tuple(usable)
