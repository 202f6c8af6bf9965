"""The run's past headless: --snapshot-every keeps snapshots in the checkpoint, --resume
--from-step goes on from one as a branch, exactly as the uninterrupted run went on, and
`ganviz timeline` lists them."""

import io
import json

import pytest
import torch

from ganviz import cli
from ganviz.core import session, session_timeline
from ganviz.core.session_checks import MAX_TIMELINE_BYTES


def metrics(path):
    return {record["step"]: record for record in map(json.loads, path.read_text().splitlines())}


LOSSES = ("loss_d", "loss_g", "d_real", "d_fake")


@pytest.mark.parametrize(("preset", "steps", "extra"), [
    ("gaussian", 400, []),
    ("ring8", 400, []),
])  # MNIST resumes bit for bit too (tests/test_timeline.py); its CLI run takes a minute
def test_a_branch_from_a_snapshot_repeats_the_uninterrupted_run(tmp_path, capsys, preset,
                                                                 steps, extra):
    half, every = steps // 2, steps // 8
    a, b = tmp_path / "a.ganviz", tmp_path / "b.jsonl"
    assert cli.main(["train", "--preset", preset, "--steps", str(steps), "--seed", "5",
                     "--snapshot-every", str(every), "--log-every", str(every),
                     "--checkpoint", str(a), "--metrics", str(tmp_path / "a.jsonl"),
                     "--quiet", *extra]) == 0
    assert cli.main(["train", "--resume", str(a), "--from-step", str(half), "--steps",
                     str(steps - half), "--log-every", str(every), "--metrics", str(b),
                     "--checkpoint", str(tmp_path / "c.ganviz"), "--quiet"]) == 0
    assert f"going on from iteration {half}" in capsys.readouterr().err
    first, second = metrics(tmp_path / "a.jsonl"), metrics(b)
    assert min(second) == half + every and max(second) == steps
    for step in second:
        for name in LOSSES:
            assert second[step][name] == first[step][name], (step, name)
    # The continued session holds both futures: main, and the branch from `half`.
    timeline = session.load(tmp_path / "c.ganviz").timeline
    assert [b.fork_step for b in timeline.branches.values()] == [0, half]
    assert timeline.steps(0)[-1] == steps and timeline.steps()[-1] == steps
    own = timeline.own_steps(1)
    assert own[-1] == steps and set(own) <= set(range(half + every, steps + 1, every))


def test_a_step_without_a_snapshot_is_refused_naming_the_nearest(tmp_path, capsys):
    a = tmp_path / "a.ganviz"
    assert cli.main(["train", "--steps", "300", "--snapshot-every", "100", "--checkpoint",
                     str(a), "--quiet"]) == 0
    capsys.readouterr()
    assert cli.main(["train", "--resume", str(a), "--from-step", "150", "--steps", "10"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == ("ganviz train: error: --from-step: a.ganviz has no snapshot at iteration "
                     "150 (nearest kept: 100, 200)")
    assert cli.main(["train", "--from-step", "100", "--steps", "10"]) == 2
    assert "needs --resume" in capsys.readouterr().err
    assert cli.main(["train", "--steps", "20", "--checkpoint", str(tmp_path / "n.ganviz"),
                     "--quiet"]) == 0
    assert cli.main(["train", "--resume", str(tmp_path / "n.ganviz"), "--from-step", "0",
                     "--steps", "10"]) == 2
    assert "holds no snapshots" in capsys.readouterr().err


def test_timeline_lists_branches_and_snapshots(tmp_path, capsys):
    a = tmp_path / "a.ganviz"
    cli.main(["train", "--steps", "300", "--snapshot-every", "100", "--checkpoint", str(a),
              "--quiet"])
    cli.main(["train", "--resume", str(a), "--from-step", "100", "--steps", "100", "--set",
              "lr_g=0.0005", "--checkpoint", str(a), "--quiet"])
    capsys.readouterr()
    assert cli.main(["timeline", str(a)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("a.ganviz: gaussian, 200 iterations; 5 snapshots (every 100)")
    assert lines[2].split()[:4] == ["main", "-", "0-300", "4"]
    assert "main @ 100" in lines[3] and "lr_g=0.0005" in lines[3] and "*" in lines[3]
    assert lines[-2:] == ["main: 0 100 200 300", "branch 1: 200"]


def test_a_session_carries_a_bounded_timeline_and_refuses_a_damaged_one(tmp_path):
    from ganviz.core.trainer import Trainer

    trainer = Trainer("gaussian")
    trainer.keep_timeline(every=1)
    trainer.run(300)
    packed = session_timeline.pack(trainer.timeline)
    assert packed.numel() <= MAX_TIMELINE_BYTES
    content = torch.load(io.BytesIO(packed.numpy().tobytes()),
                         weights_only=True)
    assert len(content["snapshots"]) <= session_timeline.MAX_TIMELINE_SNAPSHOTS
    path = tmp_path / "t.ganviz"
    session.save(trainer, path)
    assert session.load(path).timeline.steps()[-1] == 300
    session.save(trainer, tmp_path / "none.ganviz", with_timeline=False)
    assert session.load(tmp_path / "none.ganviz").timeline is None

    # A snapshot holding NaN weights is refused, naming it.
    timeline = trainer.timeline.to_dict(max_count=session_timeline.MAX_TIMELINE_SNAPSHOTS)
    timeline["snapshots"][3]["state"]["generator"]["0.weight"][0, 0] = float("nan")
    raw = torch.load(path, weights_only=True)
    buffer = io.BytesIO()
    torch.save(timeline, buffer)
    raw["timeline"] = torch.frombuffer(bytearray(buffer.getvalue()), dtype=torch.uint8)
    torch.save(raw, tmp_path / "nan.ganviz")
    with pytest.raises(session.SessionError, match=r"^nan\.ganviz: timeline\.snapshots\[3\]: "
                       r"generator weights hold NaN"):
        session.load(tmp_path / "nan.ganviz")
