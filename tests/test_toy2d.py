"""The 2-D toy without Qt: datasets, custom data, the trainer, and what the view is drawn from."""

import numpy as np
import pytest
import torch

from ganviz.core import config, objectives
from ganviz.core.toy2d import data as data2d
from ganviz.core.toy2d import points as points_module
from ganviz.core.toy2d.evaluation import Evaluator2D, generator_push
from ganviz.core.toy2d.points import PointsError, load_points, strokes_to_points
from ganviz.core.trainer import Trainer


def sample(dataset, n=4000, seed=0) -> np.ndarray:
    return dataset.sample(n, torch.Generator().manual_seed(seed)).numpy()


@pytest.mark.parametrize("name", [n for n in data2d.DATASETS if n != "custom"])
def test_every_dataset_samples_float32_points_inside_its_view(name):
    dataset = data2d.make_dataset(name)
    points = dataset.sample(3000, torch.Generator().manual_seed(0))
    assert points.shape == (3000, 2) and points.dtype == torch.float32
    x0, x1, y0, y1 = dataset.bounds()
    assert x1 - x0 == pytest.approx(y1 - y0)  # square: no axis stretched
    inside = ((points[:, 0] > x0) & (points[:, 0] < x1) & (points[:, 1] > y0)
              & (points[:, 1] < y1)).float().mean()
    assert inside > 0.999


def test_ring8_points_lie_on_eight_modes_of_std_005_on_the_circle_of_radius_2():
    ring = data2d.ring8()
    points = sample(ring, 16_000)
    radius = np.hypot(points[:, 0], points[:, 1])
    assert np.abs(radius - 2.0).max() < 0.3
    shares, within = data2d.mode_coverage(points, ring.modes, ring.mode_sigma)
    assert np.allclose(shares, 1 / 8, atol=0.015) and within > 0.98
    nearest = np.linalg.norm(points[:, None] - ring.modes[None], axis=2).argmin(1)
    offsets = points - ring.modes[nearest]
    assert offsets.std(0) == pytest.approx([0.05, 0.05], rel=0.05)


def test_grid25_has_25_modes_two_apart_and_the_line_lies_on_its_segment():
    grid = data2d.grid25()
    assert grid.modes.shape == (25, 2) and set(grid.modes[:, 0]) == {-4, -2, 0, 2, 4}
    points = sample(data2d.make_dataset("line"))
    assert np.abs(points[:, 1] - points[:, 0] / 2).max() < 0.25  # y = x / 2, noise 0.03
    assert points[:, 0].min() < -1.9 and points[:, 0].max() > 1.9
    spiral = sample(data2d.make_dataset("spiral"))
    assert np.hypot(spiral[:, 0], spiral[:, 1]).max() < 2.2


def distance_to_polyline(points: np.ndarray, line: np.ndarray) -> np.ndarray:
    a, b = line[:-1][None], line[1:][None]
    p = points[:, None]
    t = np.clip(((p - a) * (b - a)).sum(-1) / ((b - a) ** 2).sum(-1), 0, 1)
    return np.linalg.norm(p - (a + t[..., None] * (b - a)), axis=-1).min(1)


def test_hand_drawn_strokes_give_samples_on_the_strokes():
    strokes = [np.array([[-1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), np.array([[2.0, -2.0]])]
    points = strokes_to_points(strokes)
    assert points.dtype == np.float32 and points.shape[1] == 2
    on_first = distance_to_polyline(points[:-1], strokes[0])
    assert on_first.max() < 1e-5 and np.allclose(points[-1], [2.0, -2.0])
    # Evenly spaced by arc length: a fast mouse does not thin the density out.
    gaps = np.linalg.norm(np.diff(points[:-1], axis=0), axis=1)
    assert gaps.max() < 0.0101
    custom = data2d.Points2D(points, "drawn")
    drawn = sample(custom, 5000)
    assert np.minimum(distance_to_polyline(drawn, strokes[0]),
                      np.linalg.norm(drawn - [2.0, -2.0], axis=1)).max() < 5 * data2d.CUSTOM_JITTER
    with pytest.raises(PointsError, match="empty"):
        strokes_to_points([])


def test_points_files_are_read_from_csv_and_npy(tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("x,y\n0.5, 1\n-2;3.25\n\n# a comment\n4,5\n")
    assert np.array_equal(load_points(csv), [[0.5, 1], [-2, 3.25], [4, 5]])
    npy = tmp_path / "p.npy"
    np.save(npy, np.arange(20, dtype=np.float64).reshape(10, 2))
    loaded = load_points(npy)
    assert loaded.dtype == np.float32 and loaded.shape == (10, 2)


@pytest.mark.parametrize("name, content, message", [
    ("p.txt", "1,2\n", "expected a .csv"),
    ("p.csv", "1,2,3\n4,5,6\n", "line 1 has 3 columns"),
    ("p.csv", "1,2\nfoo,bar\n", "line 2 is not two numbers"),
    ("p.csv", "1,2\n", "1 points; expected 2"),
    ("p.csv", "1,2\nnan,3\n", "NaN or infinite"),
    ("p.csv", "", "0 points"),
    ("p.npy", np.zeros((5, 3)), r"shape \(N, 2\), got shape \(5, 3\)"),
    ("p.npy", np.array([[{"a": 1}, {"b": 2}]] * 3, dtype=object), "expected numbers, got object"),
    ("p.npy", b"not an npy file at all", "cannot be read"),
    ("missing.csv", None, "no such file"),
    ("big.npy", "huge-header", r"1,000,000,000,000 points"),
    ("archive.npy", "npz", "an .npz archive"),
    # What a file may cost is bounded before it is read:
    ("p.csv", "1,2\n" + "9" * 5000 + ",1\n", "line 2 is longer than 4,096 characters"),
    ("big.csv", "sparse", r"bytes; a points file may be at most 104,857,600"),
    ("p.npy", np.array([["a", "b"]] * 3), "expected numbers, got <U1"),
    ("p.npy", "truncated-npy", r"truncated: its header says 10 points of float64 \(288 bytes\)"),
    ("p.npy", "longer-npy", r"trailing garbage: .* \(288 bytes\) but the file holds 289"),
])
def test_bad_points_files_are_refused_with_one_line_naming_the_file(tmp_path, name, content,
                                                                     message):
    path = tmp_path / name
    if isinstance(content, str) and content == "huge-header":
        # ~100 bytes claiming a (10^12, 2) array, which must never be allocated.
        header = {"descr": "<f8", "fortran_order": False, "shape": (10**12, 2)}
        with open(path, "wb") as file:
            np.lib.format.write_array_header_1_0(file, header)
    elif isinstance(content, str) and content == "sparse":
        with open(path, "wb") as file:  # 200 MB that take no disk space and are never read
            file.truncate(200 * 2**20)
    elif isinstance(content, str) and content.endswith("-npy"):
        np.save(path, np.arange(20, dtype=np.float64).reshape(10, 2))
        whole = path.read_bytes()
        path.write_bytes(whole[:-5] if content == "truncated-npy" else whole + b"\0")
    elif isinstance(content, str) and content == "npz":
        np.savez(path.with_suffix(".npz"), a=np.zeros((3, 2)))
        path.with_suffix(".npz").rename(path)
    elif isinstance(content, str):
        path.write_text(content)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        np.save(path, content, allow_pickle=True)
    with pytest.raises(PointsError, match=message) as error:
        load_points(path)
    text = str(error.value)
    assert text.startswith(name) and "\n" not in text


def test_csv_rows_are_capped_while_reading(tmp_path, monkeypatch):
    # The cap stops the reading itself: a file of too many rows is not read to its end.
    monkeypatch.setattr(points_module, "MAX_POINTS", 1000)
    path = tmp_path / "many.csv"
    path.write_text("1,2\n" * 1001 + "not read,\n")
    with pytest.raises(PointsError, match=r"^many\.csv: more than 1,000 points$"):
        load_points(path)


def test_grid_divergences_are_near_zero_for_one_distribution_and_large_for_disjoint_ones():
    ring = data2d.ring8()
    bounds = ring.bounds()
    a, b = sample(ring, 20_000, seed=1), sample(ring, 20_000, seed=2)
    kl, js = data2d.grid_divergences(a, b, bounds)
    assert kl < 0.02 and js < 0.005
    far = 0.5 * (a[:, ::-1] * [1, -1])  # rotated and shrunk: on none of the modes
    kl_far, js_far = data2d.grid_divergences(a, far, bounds)
    assert kl_far > 5.0 and js_far > 0.9
    left = sample(data2d.make_dataset("two-gaussians"), 5000)
    kl_half, js_half = data2d.grid_divergences(left, left[left[:, 0] < 0], bounds)
    # Half the mass missing: JS(½L + ½R ‖ L) = ½·0.2075 + ½·0.4150 = 0.311 bits exactly,
    # and KL is large (the floor, not infinity, where the fakes have nothing).
    assert js_half == pytest.approx(0.311, abs=0.02) and kl_half > 3.0


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer("ring8", {"g_width": 32, "d_width": 32, "g_layers": 2, "d_layers": 2,
                                "batch_size": 64, "seed": 3})
    trainer.run(50)
    return trainer


def test_two_d_trainer_samples_in_data_units_and_reports_mode_coverage(trained):
    samples = trained.sample(1000)
    assert samples.shape == (1000, 2) and samples.dtype == np.float32
    metrics = trained.metrics()
    assert set(metrics) >= {"kl_bits", "js_bits", "mode_shares", "modes_covered",
                            "high_quality"}
    assert len(metrics["mode_shares"]) == 8 and 0 <= metrics["modes_covered"] <= 8
    assert 0.0 <= metrics["high_quality"] <= 1.0
    assert sum(metrics["mode_shares"]) == pytest.approx(metrics["high_quality"], abs=1e-6)


def test_single_network_steps_move_one_network_and_not_the_iteration_count():
    trained = Trainer("ring8", {"g_width": 16, "d_width": 16, "batch_size": 32})
    trained.run(5)
    step, d, g = trained.step_count, trained.d_updates, trained.g_updates
    g_weights = [p.clone() for p in trained.generator.parameters()]
    d_weights = [p.clone() for p in trained.discriminator.parameters()]

    def unchanged(before, network) -> bool:
        return all(torch.equal(a, b) for a, b in zip(before, network.parameters(), strict=True))

    trained.step_network("d")
    assert (trained.step_count, trained.d_updates, trained.g_updates) == (step, d + 1, g)
    assert unchanged(g_weights, trained.generator)
    assert not unchanged(d_weights, trained.discriminator)
    trained.step_network("g")
    assert (trained.step_count, trained.d_updates, trained.g_updates) == (step, d + 1, g + 1)
    assert not unchanged(g_weights, trained.generator)


@pytest.fixture(scope="module")
def evaluation(trained):
    state = trained.snapshot().view
    return state, Evaluator2D().evaluate(state)


def test_the_heatmap_is_d_on_the_grid(trained, evaluation):
    state, result = evaluation
    x0, x1, y0, y1 = state.bounds
    r = result.surface.shape[0]
    xs = x0 + (np.arange(r) + 0.5) * (x1 - x0) / r
    ys = y0 + (np.arange(r) + 0.5) * (y1 - y0) / r
    for i, j in [(0, 0), (5, 40), (31, 32), (63, 10)]:
        point = torch.tensor([[xs[i], ys[j]]], dtype=torch.float32)
        with torch.no_grad():
            expected = torch.sigmoid(trained.discriminator(trained.problem.to_network(point)))
        assert result.surface[i, j] == pytest.approx(float(expected), abs=1e-5)
    assert np.array_equal(result.surface_colour, result.surface)  # a probability: as is


def test_the_arrows_are_minus_the_generator_loss_gradient(trained, evaluation):
    state, result = evaluation
    objective = objectives.get(state.loss)
    discriminator = trained.discriminator
    for index in (0, 17, 250):
        x = torch.tensor(result.fake_points[index: index + 1], requires_grad=True)
        loss = objective.g_loss(discriminator(trained.problem.to_network(x)))
        (grad,) = torch.autograd.grad(loss, x)
        assert result.gradients[index] == pytest.approx(-grad[0].numpy(), rel=1e-4, abs=1e-7)
        # Following the arrow lowers that point's generator loss: the sign is right.
        step = 1e-3 * result.gradients[index] / np.linalg.norm(result.gradients[index])
        moved = torch.tensor(result.fake_points[index: index + 1] + step)
        with torch.no_grad():
            after = objective.g_loss(discriminator(trained.problem.to_network(moved)))
        assert float(after) < float(loss.detach())
    # The fake points are the trained generator on the run's fixed noise.
    again = Evaluator2D().evaluate(state)
    assert np.array_equal(again.fake_points, result.fake_points)
    assert result.manifold.shape == (21, 21, 2) and result.arrow_scale > 0


def test_generator_push_of_a_critic_follows_the_critic_uphill():
    critic = torch.nn.Linear(2, 1)
    with torch.no_grad():
        critic.weight[:] = torch.tensor([[2.0, -1.0]])
    push = generator_push(critic, objectives.get("wgan-gp"), torch.zeros(3, 2),
                          torch.zeros(2), 1.0)
    assert torch.allclose(push, torch.tensor([[2.0, -1.0]]).expand(3, 2))


def test_custom_data_must_be_given_before_it_is_chosen():
    trainer = Trainer("ring8", {"g_width": 16, "d_width": 16})
    with pytest.raises(config.SettingError, match="custom needs points"):
        trainer.update_settings({"dataset": "custom"})
    assert trainer.settings["dataset"] == "ring8"
    with pytest.raises(config.SettingError, match="stratified"):
        trainer.update_settings({"noise": "stratified"})
    line = np.stack((np.linspace(-1, 1, 200), np.full(200, 0.5)), 1).astype(np.float32)
    trainer.set_custom_points(data2d.Points2D(line, "a line"))
    trainer.update_settings({"dataset": "custom"})
    real = trainer.problem.dataset.sample(500, torch.Generator().manual_seed(0)).numpy()
    assert np.abs(real[:, 1] - 0.5).max() < 5 * data2d.CUSTOM_JITTER
    assert trainer.snapshot().view.modes is None
    trainer.run(3)
    assert "mode_shares" not in trainer.metrics()
