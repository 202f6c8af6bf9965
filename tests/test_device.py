"""The device setting: CPU everywhere, a clear message for a GPU that is not there, and the
CUDA path itself where a CUDA GPU exists (skipped elsewhere)."""

import math

import numpy as np
import pytest
import torch

from ganviz import bench, cli
from ganviz.core import config, runtime
from ganviz.core.trainer import Trainer

HAS_CUDA = torch.cuda.is_available()


def test_cpu_always_works_and_auto_picks_what_is_there():
    trainer = Trainer("gaussian", {"device": "cpu"})
    trainer.run(3)
    assert trainer.device.type == "cpu" and math.isfinite(trainer.last["loss_d"])
    has_mps = torch.backends.mps.is_available()
    gpu = "cuda" if HAS_CUDA else "mps" if has_mps else "cpu"
    # MNIST goes to a GPU if there is one; the toys' tiny networks run faster on the CPU.
    assert runtime.resolve_device("auto", "mnist").type == gpu
    assert runtime.resolve_device("auto", "1d").type == "cpu"
    assert runtime.resolve_device("auto", "2d").type == "cpu"
    assert {"auto", "cpu"} <= set(runtime.available_devices())


@pytest.mark.skipif(HAS_CUDA, reason="this machine has a CUDA GPU")
def test_cuda_without_a_gpu_is_one_clear_message(capsys):
    with pytest.raises(config.SettingError, match="device: cuda is not available here"):
        Trainer("gaussian", {"device": "cuda"})
    assert "cuda" not in runtime.available_devices()
    assert cli.main(["train", "--set", "device=cuda", "--steps", "2", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "device: cuda is not available here" in err[0]


@pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA GPU")
@pytest.mark.parametrize("preset", ["gaussian", "bimodal", "ring8", "mnist", "mnist-dcgan"])
def test_training_on_cuda_matches_the_cpu_shapes(preset):
    trainer = Trainer(preset, {"device": "cuda"})
    trainer.run(20)
    assert trainer.device.type == "cuda"
    assert all(math.isfinite(v) for v in trainer.last.values())
    snapshot = trainer.snapshot()  # what the window draws: plain numpy on the CPU
    assert isinstance(snapshot.history["loss_d"], np.ndarray)
    samples = trainer.sample(100)
    assert isinstance(samples, np.ndarray) and np.isfinite(samples).all()
    trainer.metrics()


@pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA GPU")
@pytest.mark.parametrize("preset", ["gaussian", "mnist"])
def test_the_benchmarks_plain_loop_runs_on_cuda(preset):
    iteration = bench.plain_loop(preset, "cuda")
    losses = [iteration() for _ in range(3)]
    assert all(math.isfinite(value) and value > 0 for pair in losses for value in pair)
