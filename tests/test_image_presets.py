"""The presets that train on images other than MNIST's: S5's 64x64 DCGAN and WGAN-GP on a
folder of pictures, Fashion-MNIST and CIFAR-10."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from ganviz import cli
from ganviz.core import presets
from ganviz.core.images.dataset import ImageSet
from ganviz.core.mnist.state import GRID_GAP, GRID_SIDE
from ganviz.core.trainer import Trainer

NEW_PRESETS = ["s5-dcgan", "s5-wgan-gp", "fashion-mnist", "cifar10-dcgan"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def faces(tmp_path):
    """A folder of 20 small colour pictures (gradients, two sizes, nested)."""
    root = tmp_path / "faces"
    (root / "nested").mkdir(parents=True)
    rng = np.random.default_rng(1)
    for index in range(20):
        side = (70, 90)[index % 2]
        pixels = rng.integers(0, 256, (side, side + 10, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / ("nested" if index % 4 == 0 else "") /
                                     f"f{index}.png")
    return root


def images(preset: str, count: int = 64) -> ImageSet:
    chosen = presets.get(preset)
    rng = np.random.default_rng(2)
    pixels = rng.integers(0, 256, (count, chosen.image_size, chosen.image_size,
                                   chosen.channels), dtype=np.uint8)
    labels = rng.integers(0, 10, count).astype(np.uint8)
    return ImageSet(pixels, labels, f"{count} test images")


def layers(network, kind):
    return [m for m in network.modules() if isinstance(m, kind)]


def test_s5_networks_are_the_tutorials():
    """128-d noise -> dense 4x4x512 -> four 5x5 stride-2 transposed convolutions (BN and
    ReLU between) -> 64x64x3 in [-0.5, 0.5]; D: four 5x5 stride-2 convolutions with
    LeakyReLU -> dense -> one logit, batch norm in DCGAN's D but not in WGAN-GP's critic."""
    data = images("s5-dcgan", 8)
    dcgan = Trainer("s5-dcgan", {"batch_size": 4}, data=data)
    g, d = dcgan.generator, dcgan.discriminator
    assert [tuple(m.weight.shape) for m in layers(g, torch.nn.Linear)] == [(4 * 4 * 512, 128)]
    assert [(m.in_channels, m.out_channels, m.kernel_size, m.stride)
            for m in layers(g, torch.nn.ConvTranspose2d)] == [
        (512, 256, (5, 5), (2, 2)), (256, 128, (5, 5), (2, 2)), (128, 64, (5, 5), (2, 2)),
        (64, 3, (5, 5), (2, 2))]
    assert [m.num_features for m in layers(g, torch.nn.BatchNorm2d)] == [512, 256, 128, 64]
    assert len(layers(g, torch.nn.ReLU)) == 4
    assert [(m.in_channels, m.out_channels, m.kernel_size, m.stride)
            for m in layers(d, torch.nn.Conv2d)] == [
        (3, 64, (5, 5), (2, 2)), (64, 128, (5, 5), (2, 2)), (128, 256, (5, 5), (2, 2)),
        (256, 512, (5, 5), (2, 2))]
    assert [m.num_features for m in layers(d, torch.nn.BatchNorm2d)] == [128, 256, 512]
    assert len(layers(d, torch.nn.LeakyReLU)) == 4
    assert [tuple(m.weight.shape) for m in layers(d, torch.nn.Linear)] == [(1, 4 * 4 * 512)]
    out = g(torch.randn(3, 128))
    assert out.shape == (3, 3, 64, 64) and out.abs().max() <= 0.5
    critic = Trainer("s5-wgan-gp", {"batch_size": 4}, data=data).discriminator
    assert not layers(critic, torch.nn.BatchNorm2d) and len(layers(critic, torch.nn.Conv2d)) == 4
    for name in ("s5-dcgan", "s5-wgan-gp"):  # the tutorial's training
        settings = presets.get(name).settings()
        assert (settings["k"], settings["k_g"], settings["latent_dim"]) == (1, 2, 128)
        assert presets.get(name).model["output"] == "half-tanh"
    assert presets.get("s5-wgan-gp").settings()["gp_weight"] == 10.0


@pytest.mark.parametrize("name", ["s5-dcgan", "s5-wgan-gp"])
def test_s5_trains_on_a_folder_and_writes_colour_samples(name, faces, tmp_path):
    out = tmp_path / f"{name}.npy"
    assert cli.main(["train", "--preset", name, "--data", str(faces), "--steps", "5",
                     "--set", "batch_size=4", "--save-samples", str(out), "--num-samples",
                     "16", "--quiet"]) == 0
    samples = np.load(out)
    assert samples.dtype == np.float32 and samples.shape == (16, 64, 64, 3)
    assert samples.min() >= 0.0 and samples.max() <= 1.0 and samples.std() > 0.0


def test_s5_without_a_folder_says_how_to_get_one(capsys):
    assert cli.main(["train", "--preset", "s5-dcgan", "--steps", "1"]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and "--data DIR" in line and "img_align_celeba" in line


@pytest.mark.parametrize("name", ["fashion-mnist", "cifar10-dcgan"])
def test_other_image_presets_train_and_show_grids_without_class_bars(name):
    chosen = presets.get(name)
    trainer = Trainer(name, {"batch_size": 8}, data=images(name))
    trainer.run(2)
    assert all(np.isfinite(v) for v in trainer.last.values())
    view = trainer.snapshot().view
    side = GRID_SIDE * (chosen.image_size + GRID_GAP) - GRID_GAP
    colour = (3,) if chosen.channels == 3 else ()
    assert view.samples_grid.shape == (side, side, *colour)
    assert view.real_grid.shape == (side, side, *colour)
    assert not view.classified and view.class_counts is None  # no classifier knows them
    assert trainer.problem.metrics(trainer) == {}
    assert trainer.sample(5).shape == (5, *chosen.sample_shape)


def test_images_of_the_wrong_size_are_refused_in_one_line():
    with pytest.raises(ValueError, match="s5-dcgan trains on 64x64x3 images; these are 32x32x3"):
        Trainer("s5-dcgan", data=images("cifar10-dcgan"))


def test_real_batches_are_the_images_in_the_networks_range():
    data = images("cifar10-dcgan", 16)
    trainer = Trainer("cifar10-dcgan", {"batch_size": 16}, data=data)
    batch = trainer._real_batch(16)
    assert batch.shape == (16, 3, 32, 32)
    back = np.rint((batch.permute(0, 2, 3, 1).numpy() + 1.0) * 127.5).astype(np.uint8)
    assert sorted(map(bytes, back)) == sorted(map(bytes, data.pixels))  # one epoch: each once


def test_colour_grids_in_the_window(open_window, faces, qtbot):
    window = open_window("s5-dcgan", {"batch_size": 4}, data_dir=str(faces))
    qtbot.waitUntil(lambda: window.mode == "mnist", timeout=20_000)
    view = window.stack.view("mnist")
    qtbot.waitUntil(lambda: view.real_image.image is not None, timeout=20_000)
    side = GRID_SIDE * (64 + GRID_GAP) - GRID_GAP
    assert view.samples_image.image.shape == (side, side, 3)
    assert view.real_image.image.shape == (3 * (64 + GRID_GAP) - GRID_GAP, side, 3)  # 20 faces
    assert not view.classes.isVisible() and not view.quality.isVisible()
    assert view.real_plot.titleLabel.text == "Real images"


@pytest.mark.parametrize(("name", "dataset"), [("fashion-mnist", "fashion-mnist"),
                                               ("cifar10-dcgan", "cifar10")])
def test_standard_sets_not_downloaded_say_how_to_get_them(name, dataset, capsys):
    assert cli.main(["train", "--preset", name, "--steps", "1"]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and f"ganviz data download --dataset {dataset}" in line


def test_choosing_s5_in_the_window_asks_for_a_folder(open_window, faces, qtbot, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    window = open_window("mnist", {"batch_size": 4})
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda *args: asked.append(args) or "")
    window.choose_preset("s5-dcgan")  # cancelled: the run stays as it was
    assert len(asked) == 1 and window.preset == "mnist"
    assert "needs a folder of pictures" in window.statusBar().currentMessage()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(faces))
    window.choose_preset("s5-dcgan")  # prepared, then chosen
    qtbot.waitUntil(lambda: window.preset == "s5-dcgan", timeout=20_000)
    view = window.stack.view("mnist")
    qtbot.waitUntil(lambda: view.samples_image.image is not None
                    and view.samples_image.image.ndim == 3, timeout=30_000)
    assert window.data_dir == str(faces)


def test_a_set_not_downloaded_is_offered_for_download(open_window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window = open_window("gaussian")
    questions = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args: questions.append(args[2]) or
                        QMessageBox.StandardButton.No)
    window.choose_preset("cifar10-dcgan")
    assert window.preset == "gaussian" and "CIFAR-10" in questions[0]
    assert "Data > Download CIFAR-10" in window.statusBar().currentMessage()


def test_the_preparing_dialog_reports_and_cancels(qtbot, faces, tmp_path):
    from ganviz.app.dialogs.prepare_folder import PrepareFolderDialog

    dialog = PrepareFolderDialog(str(faces), 32, 3)
    with qtbot.waitSignal(dialog.prepared, timeout=20_000) as ended:
        dialog.start()
    assert ended.args == [True, f"20 pictures from {faces}"]
    (tmp_path / "more").mkdir()
    for index in range(300):
        Image.new("RGB", (40, 40), (index % 256, 0, 0)).save(tmp_path / "more" / f"{index}.png")
    dialog = PrepareFolderDialog(str(tmp_path / "more"), 32, 3)
    dialog._thread.cancelled = True  # as Cancel does, before the first picture
    with qtbot.waitSignal(dialog.prepared, timeout=20_000) as ended:
        dialog.start()
    assert ended.args == [False, "Cancelled; the folder was not prepared."]


def test_slow_motion_tells_a_colour_iteration(qtbot):
    from ganviz.app.slow_motion import digit_strip
    from ganviz.core import narration, protocol

    trainer = Trainer("cifar10-dcgan", {"batch_size": 8}, data=images("cifar10-dcgan"))
    narrated = narration.narrate(trainer)
    protocol.check_message(narrated, protocol.RESULTS)
    assert narrated.real.shape[1:] == (32, 32, 3) and narrated.moved.shape[1:] == (32, 32, 3)
    strip = digit_strip(narrated)  # real, D's fakes, G's fakes, moved: four rows of eight
    assert strip is not None and strip.width() == 256
    assert strip.height() == pytest.approx(256 * 4 / 8, abs=1)


def test_a_saved_folder_run_resumes_with_its_folder(faces, tmp_path, capsys):
    saved = tmp_path / "s5.ganviz"
    assert cli.main(["train", "--preset", "s5-dcgan", "--data", str(faces), "--steps", "1",
                     "--set", "batch_size=4", "--checkpoint", str(saved), "--quiet"]) == 0
    assert cli.main(["train", "--resume", str(saved), "--data", str(faces), "--steps", "1",
                     "--checkpoint", str(saved), "--quiet"]) == 0
    from ganviz.core import session

    assert session.read(saved)["state"]["step_count"] == 2
    capsys.readouterr()
    assert cli.main(["train", "--resume", str(saved), "--steps", "1", "--quiet"]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and "give one with --data DIR" in line
    assert cli.main(["train", "--resume", str(examples_path("gaussian")), "--data",
                     str(faces), "--steps", "1", "--quiet"]) == 2
    assert "the saved run (gaussian) does not train on images" in capsys.readouterr().err


def examples_path(preset: str):
    from ganviz.core import examples

    return examples.path_of(preset)
