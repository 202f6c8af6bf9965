"""MNIST's latent explorer: interpolation between grid digits, the pad around one, and
that neither changes training."""

import numpy as np
import pytest
import torch

from ganviz.core import protocol
from ganviz.core.mnist import latent
from ganviz.core.trainer import Trainer


@pytest.fixture(scope="module")
def trainer():
    made = Trainer("mnist", {}, device="cpu")
    made.run(3)
    return made


def test_slerp_keeps_to_the_great_circle():
    a, b = torch.tensor([3.0, 0.0, 0.0]), torch.tensor([0.0, 0.0, 5.0])
    path = latent.slerp(a, b, torch.linspace(0, 1, 5))
    torch.testing.assert_close(path[0], a)
    torch.testing.assert_close(path[-1], b)
    norms = path.norm(dim=1)
    torch.testing.assert_close(norms, torch.linspace(3.0, 5.0, 5))  # the norm: linear
    angles = torch.atan2(path[:, 2], path[:, 0])
    torch.testing.assert_close(torch.diff(angles), torch.full((4,), np.pi / 8))  # even steps
    assert float(path[:, 1].abs().max()) == 0.0  # in the plane of a and b


def test_interpolation_runs_from_one_grid_input_to_the_other(trainer):
    problem = trainer.problem
    first, second = latent.grid_input(problem, "noise", 3), latent.grid_input(problem, "noise", 10)
    path = latent.interpolation_inputs(problem, "noise", 3, 10)
    assert path.shape == (latent.INTERPOLATION_STEPS, first.numel())
    torch.testing.assert_close(path[0], first)
    torch.testing.assert_close(path[-1], second, atol=1e-5, rtol=1e-5)
    codes = slice(problem.latent, None)  # InfoGAN's codes: the straight line
    straight = first[codes] + 5 / 11 * (second[codes] - first[codes])
    torch.testing.assert_close(path[5, codes], straight)
    with pytest.raises(ValueError, match="no cell 64"):
        latent.grid_input(problem, "noise", 64)


def test_the_pad_moves_z_along_two_fixed_orthonormal_directions(trainer):
    problem = trainer.problem
    u, v = latent.pad_directions(problem, 7, seed=0)
    assert float(u @ v) == pytest.approx(0.0, abs=1e-6)
    assert float(u.norm()) == pytest.approx(1.0) and float(v.norm()) == pytest.approx(1.0)
    again = latent.pad_directions(problem, 7, seed=0)
    torch.testing.assert_close(again[0], u)
    moved = latent.pad_input(problem, "noise", 7, (1.5, -2.0), seed=0)[0]
    base = latent.grid_input(problem, "noise", 7)
    torch.testing.assert_close(moved[: problem.latent] - base[: problem.latent],
                               1.5 * u - 2.0 * v)
    torch.testing.assert_close(moved[problem.latent:], base[problem.latent:])  # codes kept
    far = latent.pad_input(problem, "noise", 7, (99.0, 0.0), seed=0)[0]
    assert float((far - base)[: problem.latent].norm()) == pytest.approx(latent.PAD_RANGE)


def test_explore_draws_digits_and_changes_nothing_of_training():
    explored, plain = Trainer("mnist", {}, device="cpu"), Trainer("mnist", {}, device="cpu")
    for _ in range(4):
        digits = latent.explore(explored, (0, 9), (0.0, 0.0))
        assert digits.shape == (12, 28, 28) and digits.dtype == np.uint8
        assert latent.explore(explored, (5,), (1.0, 2.0)).shape == (1, 28, 28)
        explored.step()
        plain.step()
    for mine, its in zip(explored.generator.parameters(), plain.generator.parameters(),
                         strict=True):
        assert torch.equal(mine, its)
    assert torch.equal(explored.rng.get_state(), plain.rng.get_state())


def test_explore_commands_are_checked():
    assert protocol.Explore((1, 2)).problem() is None
    assert "one or two" in protocol.Explore((1, 2, 3)).problem()
    assert "one or two" in protocol.Explore(()).problem()
    with pytest.raises(protocol.ProtocolError):
        protocol.check_message(protocol.Explore(("a",)), protocol.COMMANDS)


def test_the_toys_refuse_the_explorer():
    from ganviz.core.controller import Controller

    sent = []
    controller = Controller("gaussian", {}, sent.append)
    controller.explore((1,), (0.0, 0.0))
    assert isinstance(sent[-1], protocol.Rejected) and "MNIST" in sent[-1].message


def test_clicking_grid_digits_explores_them_while_training(open_window, qtbot):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    window = open_window("mnist", {})
    window.set_running(True)
    view = window.images
    qtbot.waitUntil(lambda: view.samples_image.image is not None, timeout=30_000)
    explorer = window.latent.explorer

    def click(cell: int) -> None:  # a real click on the digit's centre
        row, column = divmod(cell, 8)
        at = view.samples_plot.vb.mapViewToScene(
            pg_point(column * 30 + 14, row * 30 + 14))
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(int(at.x()), int(at.y())))

    click(2)
    assert window.latent.isVisible() and explorer.cells == (2,)
    qtbot.waitUntil(lambda: explorer.answers >= 1, timeout=20_000)
    assert explorer.image.image.shape == (28, 28) and explorer.pad.isVisible()
    assert len(view.cell_marks.items) == 1
    answered = explorer.answers
    explorer.move_to(2.0, -1.0)  # a drag on the pad
    qtbot.waitUntil(lambda: explorer.answers > answered, timeout=20_000)
    assert "(+2.0, -1.0)" in explorer.label.text()
    click(17)
    assert explorer.cells == (2, 17) and len(view.cell_marks.items) == 2
    qtbot.waitUntil(lambda: explorer.image.image is not None
                    and explorer.image.image.shape == (3 * 30 - 2, 4 * 30 - 2), timeout=20_000)
    steps = set()  # live: the strip is redrawn as training goes on
    qtbot.waitUntil(lambda: steps.add(_explored_step(explorer)) or len(steps) >= 3,
                    timeout=30_000)
    click(17)  # a second click unchooses
    assert explorer.cells == (2,)


def pg_point(x, y):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def _explored_step(explorer) -> str:
    return explorer.label.text().rsplit("iteration", 1)[-1]
