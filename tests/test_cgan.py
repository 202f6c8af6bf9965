"""The conditional preset mnist-cgan: the label goes into both networks, samples are
asked for by digit, and the metrics say how many come out as asked."""

import json

import numpy as np
import pytest
import torch

from ganviz.core import config, presets
from ganviz.core.mnist.networks import ConditionedDiscriminator, LabelledGenerator
from ganviz.core.trainer import Trainer


@pytest.fixture(scope="module")
def trainer():
    made = Trainer("mnist-cgan", {}, device="cpu")
    made.run(2)
    return made


def test_the_label_goes_into_both_networks(trainer):
    problem = trainer.problem
    assert isinstance(trainer.generator, LabelledGenerator)
    assert isinstance(trainer.discriminator, ConditionedDiscriminator)
    inputs, codes = problem.noise_and_codes(16, torch.Generator().manual_seed(0))
    made = trainer.generator(inputs)
    assert made.shape == (16, 784 + 10)
    torch.testing.assert_close(made[:, 784:], torch.nn.functional.one_hot(codes.values, 10)
                               .float())  # G's output carries the label it was asked for
    real = problem.real_batch(32, torch.Generator().manual_seed(1))
    assert real.shape == (32, 794)
    assert torch.equal(real[:, 784:].sum(1), torch.ones(32))  # one-hot labels
    shown = problem.to_unit(real)
    assert shown.shape == (32, 28, 28) and shown.min() >= 0.0 and shown.max() <= 1.0
    assert trainer.discriminator(real).shape == (32, 1)


def test_samples_are_drawn_for_the_digits_asked(trainer):
    """A stand-in generator that paints each image with the digit in its input."""
    problem = trainer.problem

    class Painter(torch.nn.Module):
        def forward(self, inputs):
            digit = inputs[:, problem.latent: problem.latent + 10].argmax(1).float()
            return (digit / 9 * 2 - 1)[:, None].expand(-1, 784)  # tanh's range

    asked = np.array([3, 3, 7, 0, 9])
    drawn = problem.sample(Painter(), 5, torch.Generator().manual_seed(0), asked)
    np.testing.assert_allclose(drawn[:, 0, 0], asked / 9, atol=1e-6)
    in_order = problem.sample(Painter(), 20, torch.Generator(), None)
    np.testing.assert_allclose(in_order[:, 5, 5] * 9, np.arange(20) % 10, atol=1e-5)
    tenths = trainer.sample(30)  # the trainer's default: a tenth of each digit, in order
    assert tenths.shape == (30, 28, 28)


def test_metrics_add_the_share_classified_as_asked(trainer):
    record = trainer.metrics()
    assert 0.0 <= record["class_accuracy"] <= 1.0
    assert "class_accuracy" not in Trainer("mnist", {}, device="cpu").metrics()


def test_the_preset_keeps_its_label_code():
    preset = presets.get("mnist-cgan")
    with pytest.raises(config.SettingError, match="info_codes: mnist-cgan is conditioned"):
        preset.check({**preset.settings(), "info_codes": 5})
    with pytest.raises(config.SettingError, match="info_codes"):
        preset.check({**preset.settings(), "info_continuous": 2})


@pytest.mark.parametrize("argv, message", [
    (["--preset", "mnist", "--digit", "3", "--save-samples", "s.npy"],
     "--digit: mnist is not conditioned on the digit"),
    (["--preset", "mnist-cgan", "--digit", "3"], "--digit chooses what --save-samples"),
    (["--preset", "mnist-cgan", "--save-samples", "s.npy", "--num-samples", "15"],
     "--num-samples: 15 is not a multiple of 10"),
    (["--preset", "mnist-cgan", "--digit", "12", "--save-samples", "s.npy"], "--digit"),
])
def test_bad_digit_flags_exit_2_with_one_line(argv, message, capsys, tmp_path, monkeypatch):
    from ganviz import cli

    monkeypatch.chdir(tmp_path)
    assert cli.main(["train", "--steps", "1", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "s.npy").exists()


def test_headless_digit_samples_and_metrics(tmp_path):
    from ganviz import cli

    samples, metrics = tmp_path / "s.npy", tmp_path / "m.jsonl"
    assert cli.main(["train", "--preset", "mnist-cgan", "--steps", "3", "--quiet",
                     "--save-samples", str(samples), "--num-samples", "16", "--digit", "4",
                     "--metrics", str(metrics)]) == 0
    written = np.load(samples)
    assert written.shape == (16, 28, 28) and written.dtype == np.float32
    assert written.min() >= 0.0 and written.max() <= 1.0
    record = json.loads(metrics.read_text().splitlines()[-1])
    assert 0.0 <= record["class_accuracy"] <= 1.0


def test_digit_buttons_ask_the_grid_and_the_bars_for_one_digit(open_window, qtbot):
    window = open_window("mnist-cgan", {})
    bar = window.images.digit_bar
    qtbot.waitUntil(lambda: not bar.isHidden(), timeout=20_000)  # a conditional preset
    assert bar.buttons["all"].isChecked()
    assert window.images.samples_plot.titleLabel.text.startswith("One row per digit")
    bar.buttons["3"].click()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.view.digit == "3", timeout=20_000)
    view = window.latest_frame.snapshot.view
    assert view.grid_title == "Digit 3 asked for (64 fixed z)"
    assert view.samples_grid.shape == (8 * 30 - 2, 8 * 30 - 2)
    qtbot.waitUntil(lambda: bar.buttons["3"].isChecked(), timeout=5_000)
    bar.buttons["all"].click()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.view.digit == "all", timeout=20_000)
    window.choose_preset("mnist")  # not conditioned: no buttons
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.settings.get("info_continuous") == 2,
                    timeout=30_000)
    qtbot.waitUntil(lambda: bar.isHidden(), timeout=10_000)
