"""Compare mode: variants trained together and drawn side by side in the window."""

import numpy as np
import pytest

from ganviz.core import compare_protocol as messages
from ganviz.core import config, session, sweep
from ganviz.core.compare import CompareRun
from ganviz.core.theory import CURVES, VERDICTS
from ganviz.core.trainer import Trainer

AXES = ["lr_d=3e-4,1e-3", "k=1,2"]


def test_cells_have_the_layouts_shapes_and_measure_each_variant_in_turn():
    run = CompareRun("gaussian", sweep.variants(AXES, "gaussian"))
    layout = run.layout()
    assert layout.names == ("lr_d=3e-4,k=1", "lr_d=3e-4,k=2", "lr_d=1e-3,k=1",
                            "lr_d=1e-3,k=2")
    assert layout.batched == 4
    for _ in range(20):
        run.step()
    first = run.cells()  # every variant measured once at first
    assert all(cell.fresh for cell in first)
    judged = []
    for _ in range(8):
        run.step()
        cells = run.cells()
        judged.append([i for i, cell in enumerate(cells) if cell.fresh])
    assert judged[:4] == [[1], [2], [3], [0]]  # one a frame, in turn
    for cell, shape in zip(cells, layout.layouts, strict=True):
        assert cell.step == 28
        assert cell.density.shape == (len(shape.edges) - 1,)
        assert cell.d_curve.shape == shape.x.shape
        assert cell.d_curve.min() >= 0.0 and cell.d_curve.max() <= 1.0
        assert cell.verdict in VERDICTS
        assert 0.0 <= cell.js_bits <= 1.0
        assert np.isfinite([cell.loss_d, cell.loss_g]).all()
        # the histogram is a density over the cell's range
        mass = float((cell.density * np.diff(shape.edges)).sum())
        assert 0.9 < mass <= 1.0 + 1e-6


def test_batched_cells_draw_what_each_variants_own_networks_draw():
    run = CompareRun("gaussian", sweep.variants(AXES, "gaussian"))
    for _ in range(15):
        run.step()
    run.cells()  # every variant judged once
    group = run.sweep.groups[0]
    numbers = [run._number[id(t)] for t in group.trainers]
    batched = run.maker.batch_cells(group, numbers)
    for index in numbers:
        alone = run.maker.cell(index, run.sweep.for_picture(index), judge=False)
        np.testing.assert_allclose(batched[index].d_curve, alone.d_curve, atol=1e-5)
        # two draws of 2,048 samples of the same generator: the same histogram, up to noise
        assert np.abs(batched[index].density - alone.density).max() < 0.25 * alone.density.max()


def test_a_matched_generator_is_judged_converged_in_its_cell():
    """The shipped converged example, as a variant: its cell says what the main view says."""
    from ganviz.core import examples

    trainer = session.load(examples.path_of("gaussian"))
    run = CompareRun("gaussian", sweep.variants(["seed=0,1"], "gaussian"))
    run.sweep.trainers[0] = trainer  # the cell maker reads whatever trainer it is given
    cell = run.maker.cell(0, trainer)
    assert cell.js_bits < 0.01
    assert cell.verdict == "converged"


def test_2d_cells_show_points_on_ds_surface_and_the_modes():
    run = CompareRun("ring8", sweep.variants(["lr_g=1e-4,3e-4"], "ring8"))
    for _ in range(10):
        run.step()
    cells = run.cells()
    layout = run.layout().layouts[0]
    assert isinstance(layout, messages.Layout2D) and layout.modes == 8
    for cell in cells:
        assert cell.points.shape == (400, 2)
        assert cell.surface.shape == (24, 24)
        assert cell.surface.min() >= 0.0 and cell.surface.max() <= 1.0
        assert "/8 modes" in cell.verdict and "within 3σ" in cell.verdict


def test_a_written_variant_opens_and_trains_on_as_its_single_run(tmp_path):
    made = sweep.variants(AXES, "gaussian")
    run = CompareRun("gaussian", made)
    for _ in range(30):
        run.step()
    path = tmp_path / "variant.ganviz"
    assert run.write(3, str(path)) == 30
    opened = session.load(path)
    assert opened.settings["lr_d"] == 1e-3 and opened.settings["k"] == 2
    opened.run(20)
    single = Trainer("gaussian", made[3].changes, device="cpu")
    single.run(50)
    for name in CURVES:
        np.testing.assert_allclose(opened.history.as_arrays()[name],
                                   single.history.as_arrays()[name], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("axes, message", [
    (["lr_d=abc,1e-3"], "lr_d"),
    (["k=1"], "1 variants"),
    (["k=1,2", "lr_d=1e-4,2e-4", "seed=1,2"], "vary one or two"),
])
def test_bad_choices_are_one_line_naming_the_field(axes, message):
    with pytest.raises(config.SettingError, match=message) as error:
        sweep.variants(axes, "gaussian", "Compare")
    assert "\n" not in str(error.value)


def test_compare_option_refuses_bad_input_before_any_window(capsys):
    from ganviz import cli

    assert cli.main(["--preset", "gaussian", "--compare", "k=1"]) == 2
    assert cli.main(["--preset", "mnist", "--compare", "k=1,2,3,4,5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["ganviz: error: --compare: 1 variants; expected 2 to 64 for a 1d preset",
                   "ganviz: error: --compare: 5 variants; expected 2 to 4 for a mnist preset"]


def test_mnist_cells_show_digits_and_the_confident_share():
    run = CompareRun("mnist", sweep.variants(["lr_g=1e-4,2e-4"], "mnist"))
    for _ in range(3):
        run.step()
    cells = run.cells()
    assert run.layout().mode == "mnist" and run.layout().batched == 0  # they take turns
    for cell in cells:
        assert cell.digits.dtype == np.uint8 and cell.digits.shape == (4 * 30 - 2, 4 * 30 - 2)
        assert 0.0 <= cell.confident <= 1.0 and np.isnan(cell.js_bits)
        assert "confident" in cell.verdict and "coverage" in cell.verdict
        assert cell.step == 3


def test_critics_and_minibatch_discrimination_draw_finite_curves_on_the_cell():
    run = CompareRun("gaussian", sweep.variants(
        ["loss=hinge,wgan-gp", "minibatch_discrimination=false,true"], "gaussian"))
    for _ in range(30):
        run.step()
    layouts = run.layout().layouts
    for name, cell, layout in zip(run.layout().names, run.cells(), layouts, strict=True):
        assert np.isfinite(cell.d_curve).all(), name  # minibatch D: scored with a batch
        assert cell.d_curve.min() >= 0.0 and cell.d_curve.max() <= 1.0, name
        assert not layout.d_is_probability  # a critic: no 0.5 line in its cell


def test_a_diverged_variant_says_so():
    run = CompareRun("gaussian", sweep.variants(["lr_d=3e-4,1e-3"], "gaussian"))
    run.step()
    run.sweep.trainers[1].last["loss_d"] = float("nan")
    assert [cell.verdict == "diverged" for cell in run.cells()] == [False, True]


def test_settings_that_do_not_fit_together_are_refused_per_variant():
    from ganviz.core import presets
    from ganviz.core.sweep import checked_variants

    base = presets.get("ring8").settings()
    with pytest.raises(config.SettingError, match="noise=stratified: noise: stratified"):
        checked_variants(["noise=gaussian,stratified"], "ring8", base, "Compare")
    assert len(checked_variants(["noise=gaussian,uniform"], "ring8", base, "Compare")) == 2
