"""Hostile session files (issue #25, "Nothing breaks it").

A few hundred mutations of a real session (truncated, flipped bytes, zip entries
rewritten, sizes declared huge, fields replaced by values of the wrong type, shape or
range): each either opens as a trainer that then trains, or is refused with one
SessionError line; any other exception fails. A seeded generator makes the mutations the
same on every run. Also here: the archive's caps (a decompression bomb is refused before
anything is allocated, checked by the peak memory of a process that opens it) and their
margin over the largest session the settings allow.
"""

import copy
import io
import json
import os
import random
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from ganviz.core import headless, session, session_checks
from ganviz.core.toy2d import data as data2d
from ganviz.core.trainer import Trainer

SEED = 25  # the number
DELETE = object()  # a mutation that removes the field


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A small 1-D run: its session file's bytes and contents."""
    trainer = Trainer("gaussian", {"seed": 1, "g_width": 8, "d_width": 8, "batch_size": 16})
    trainer.run(5)
    path = session.save(trainer, tmp_path_factory.mktemp("good") / "good.ganviz")
    return path.read_bytes(), torch.load(path, weights_only=True)


def saved(content) -> bytes:
    buffer = io.BytesIO()
    torch.save(content, buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------- field mutations
def fields(value, path=()):
    """Every field's path in the contents (dict and list items; not inside tensors)."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from fields(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from fields(item, (*path, index))


def get(value, path):
    for key in path:
        value = value[key]
    return value


def replaced(value, path, new):
    """A copy of ``value`` with the field at ``path`` replaced (or deleted); only the
    containers along the path are copied."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    items = dict(value) if isinstance(value, dict) else list(value)
    item = replaced(items[head], rest, new)
    if item is DELETE:
        del items[head]
    else:
        items[head] = item
    return tuple(items) if isinstance(value, tuple) else items


def wrong_values(old, rng: random.Random) -> list:
    """Values of the wrong type, shape or range for a field now holding ``old``."""
    values = [DELETE, None, -1, 2.5, True, "x", 10**30, float("nan"), float("inf"), [], {},
              (1, 2), torch.zeros(0), torch.zeros(3, 3), torch.tensor(float("nan")),
              torch.zeros(1).expand(10**8)]  # a claimed 400 MB over one number
    if isinstance(old, torch.Tensor) and old.numel():
        nan = old.clone().double() if not old.is_floating_point() else old.clone()
        nan.view(-1)[rng.randrange(old.numel())] = rng.choice([float("nan"), float("inf")])
        values += [nan, old.long(), old.double(), old.reshape(-1)[:-1], old.unsqueeze(0),
                   -1 - old.abs().double().to(old.dtype) if old.dtype != torch.uint8 else
                   old.flip(0), old.reshape(1, -1).expand(1000, -1)]
    elif type(old) is int:
        values += [old + 1, -old - 1, float(old), 2**63, old * 10**6]
    elif type(old) is float:
        values += [-old, old * 1e300, int(old) if np.isfinite(old) else 0, 0.0]
    elif isinstance(old, str):
        values += [old.upper(), old + "\n" + "x" * 500]
    return values


def field_mutations(content, rng: random.Random, extra: int):
    """The issue's cases; then every field once with a value drawn from wrong_values, and
    ``extra`` more at fields drawn at random."""
    named = [
        (("state", "step_count"), -5), (("state", "step_count"), 3.0),
        (("state", "history", "_steps"), torch.zeros(7, dtype=torch.float64)),
        (("state", "history", "_values"), torch.zeros(1024, dtype=torch.float64)),
        (("state", "generator", "0.weight"), torch.full((8, 1), float("nan"))),
        (("version",), torch.ones(3)), (("format",), torch.ones(3)),
    ]
    paths = list(fields(content))[1:]
    chosen = [*paths, *(rng.choice(paths) for _ in range(extra))]
    for path, value in [*named, *((p, rng.choice(wrong_values(get(content, p), rng)))
                                  for p in chosen)]:
        label = "deleted" if value is DELETE else f"{value!r:.40}"
        yield f"{'.'.join(map(str, path))} = {label}", replaced(content, path, value)


# ------------------------------------------------------------------- byte mutations
def rewritten(data: bytes, change) -> bytes:
    """The archive rebuilt entry by entry; ``change(info, content)`` returns the entry's
    new (info, content) or None to drop it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = change(info, source.read(info))
            if entry is not None:
                target.writestr(*entry)
    return out.getvalue()


def byte_mutations(data: bytes, rng: random.Random, count: int):
    directory = [i for i in range(len(data)) if data.startswith(b"PK\x01\x02", i)]
    locals_ = [i for i in range(len(data)) if data.startswith(b"PK\x03\x04", i)]
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    for case in range(count):
        kind = case % 6
        if kind == 0:
            at = rng.randrange(len(data))
            yield f"truncated at {at}", data[:at]
        elif kind in (1, 2):  # flipped bytes, anywhere or in the pickle and directory
            mutated = bytearray(data)
            for _ in range(rng.choice([1, 1, 2, 8])):
                at = rng.randrange(len(data)) if kind == 1 else rng.choice(
                    [rng.randrange(200), rng.randrange(directory[0], len(data))])
                mutated[at] ^= rng.randrange(1, 256)
            yield f"flipped ({kind})", bytes(mutated)
        elif kind == 3:  # a size declared huge in the directory or a local header
            mutated = bytearray(data)
            at = rng.choice(directory) + rng.choice([20, 24]) if rng.random() < 0.7 else \
                rng.choice(locals_) + rng.choice([18, 22])
            size = rng.choice([2**31, 2**32 - 1, 2**27, rng.randrange(2**32)])
            mutated[at: at + 4] = struct.pack("<I", size)
            yield f"size {size} declared at {at}", bytes(mutated)
        elif kind == 4:  # one entry's content replaced
            name = rng.choice(names)
            how = rng.choice(["random", "empty", "doubled", "half"])

            def change(info, content, name=name, how=how):
                if info.filename != name:
                    return info, content
                new = {"random": bytes(rng.randrange(256) for _ in range(len(content))),
                       "empty": b"", "doubled": content * 2,
                       "half": content[: len(content) // 2]}[how]
                return info, new
            yield f"{name} {how}", rewritten(data, change)
        else:  # an entry dropped, or deflated (torch.save stores them uncompressed)
            name = rng.choice(names)
            how = rng.choice(["dropped", "deflated"])

            def change(info, content, name=name, how=how):
                if info.filename != name:
                    return info, content
                if how == "dropped":
                    return None
                info.compress_type = zipfile.ZIP_DEFLATED
                return info, content
            yield f"{name} {how}", rewritten(data, change)


def exercise(trainer) -> None:
    """What the window and ganviz train do with an opened run."""
    trainer.run(2)
    trainer.snapshot()
    trainer.sample(16)
    headless.run(trainer, steps=2, log_every=2, progress=False)


def test_a_damaged_or_crafted_session_opens_or_is_one_line(tmp_path, good):
    data, content = good
    rng = random.Random(SEED)
    cases = [*byte_mutations(data, rng, 180),
             *((label, saved(mutated)) for label, mutated in field_mutations(content, rng, 60))]
    path = tmp_path / "fuzz.ganviz"
    outcomes, failures = {"opened": 0, "refused": 0}, []
    for label, mutated in cases:
        path.write_bytes(mutated)
        try:
            trainer = session.load(path)
        except session.SessionError as error:
            message = str(error)
            if not message.startswith("fuzz.ganviz: ") or "\n" in message:
                failures.append(f"{label}: not one line naming the file: {message!r}")
            outcomes["refused"] += 1
            continue
        except Exception as error:  # what this test is for
            failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
            continue
        try:
            exercise(trainer)
        except Exception as error:
            failures.append(f"{label}: opened, then {type(error).__name__}: {str(error)[:200]}")
        outcomes["opened"] += 1
    assert not failures, f"{len(failures)} of {len(cases)}:\n" + "\n".join(failures[:20])
    assert len(cases) > 450 and outcomes["refused"] > len(cases) // 2, (len(cases), outcomes)


# ------------------------------------------------------------------- the archive's caps
def write_bomb(good: dict, path, megabytes: int = 95) -> None:
    """A session of ~100 KB whose generator's first weight unpacks to ``megabytes``: the
    weight's size in the pickle is patched, its record written deflated, in chunks."""
    content = copy.deepcopy(good)
    mark = 123_457  # a size found nowhere else in the pickle (storage and shape)
    content["state"]["generator"]["0.weight"] = torch.zeros(mark)
    buffer = io.BytesIO()
    torch.save(content, buffer)
    old, new = (b"J" + struct.pack("<i", n) for n in (mark, megabytes * 2**20 // 4))
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("/data.pkl"):
                assert data.count(old) == 2
                bomb.writestr(info, data.replace(old, new))
            elif len(data) == mark * 4:
                entry = zipfile.ZipInfo(info.filename)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with bomb.open(entry, "w") as file:
                    for _ in range(megabytes):
                        file.write(bytes(2**20))
            else:
                bomb.writestr(info, data)


def test_hostile_files_are_refused_within_bounded_memory(tmp_path, good):
    """The bomb and tensors claiming 800 MB over one number, opened in a fresh process:
    its peak memory grows by less than a quarter of the bomb's 95 MB (torch.load alone
    would take all of it)."""
    pytest.importorskip("resource")  # the peak memory; not on Windows
    data, content = good
    (tmp_path / "good.ganviz").write_bytes(data)
    write_bomb(content, tmp_path / "bomb.ganviz")
    claimed = torch.zeros(1).expand(2 * 10**8)
    hostile = [tmp_path / "bomb.ganviz"]
    for index, path in enumerate([("state", "generator", "0.weight"), ("state", "rng"),
                                  ("state", "history", "_steps"), ("settings", "mixture_means"),
                                  ("state", "opt_g", "state", 0, "exp_avg")]):
        hostile.append(tmp_path / f"claimed{index}.ganviz")
        torch.save(replaced(content, path, claimed), hostile[-1])
    script = textwrap.dedent("""
        import json, resource, sys
        import torch
        torch.set_num_threads(1)
        from ganviz.core import session
        session.load(sys.argv[1])  # the imports and a trainer's own allocations, once
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        messages = []
        for path in sys.argv[2:]:
            try:
                session.load(path)
                messages.append("opened")
            except session.SessionError as error:
                messages.append(str(error))
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        print(json.dumps({"grown": grown, "messages": messages}))
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "good.ganviz"),
                             *map(str, hostile)], capture_output=True, text=True, timeout=300,
                            cwd=Path(__file__).parents[1],
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["messages"][0].startswith("bomb.ganviz: its entry ") and \
        "is compressed" in report["messages"][0]
    for path, message in zip(hostile[1:], report["messages"][1:], strict=True):
        assert message.startswith(f"{path.name}: ") and "[200000000]" in message, message
    kib = report["grown"] / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS
    assert kib < 24 * 1024, f"peak memory grew by {kib / 1024:.0f} MiB"


def test_a_decompression_bomb_is_refused_before_anything_is_allocated(tmp_path, good,
                                                                      monkeypatch):
    path = tmp_path / "bomb.ganviz"
    write_bomb(good[1], path)
    assert path.stat().st_size < 300_000

    def never(*args, **kwargs):
        raise AssertionError("torch.load was called")

    monkeypatch.setattr(torch, "load", never)
    with pytest.raises(session.SessionError, match=r"^bomb\.ganviz: its entry .* is "
                                                   r"compressed; a ganviz session stores"):
        session.load(path)


def test_huge_many_entried_legacy_and_disguised_files_are_refused(tmp_path, good):
    good_bytes, content = good
    with open(tmp_path / "huge.ganviz", "wb") as file:  # sparse: no disk used
        file.write(b"PK\x03\x04")
        file.truncate(session_checks.MAX_FILE_BYTES + 1)
    with zipfile.ZipFile(tmp_path / "entries.ganviz", "w") as archive:
        for index in range(session_checks.MAX_ENTRIES + 1):
            archive.writestr(f"archive/data/{index}", b"")
    with zipfile.ZipFile(tmp_path / "pickle.ganviz", "w") as archive:
        archive.writestr("archive/data.pkl", b"}" * (session_checks.MAX_PICKLE_BYTES + 1))
    # A central directory that declares 2 GiB for one entry.
    directory = good_bytes.rindex(b"PK\x01\x02")
    declared = bytearray(good_bytes)
    declared[directory + 24: directory + 28] = struct.pack("<I", 2**31)
    (tmp_path / "declared.ganviz").write_bytes(bytes(declared))
    torch.save(content, tmp_path / "legacy.ganviz", _use_new_zipfile_serialization=False)
    (tmp_path / "prefixed.ganviz").write_bytes(b"\x80\x02]q\x00." + good_bytes)  # a pickle
    expected = {
        "huge.ganviz": f"the file has {session_checks.MAX_FILE_BYTES + 1:,} bytes; a ganviz "
                       f"session has at most {session_checks.MAX_FILE_BYTES:,}",
        "entries.ganviz": "1,025 archive entries; a ganviz session has at most 1,024",
        "pickle.ganviz": "its structure (data.pkl) unpacks to 262,145 bytes; a ganviz "
                         "session's is at most 262,144",
        "declared.ganviz": "unpacks to 2,048 MiB; a ganviz session unpacks to at most "
                           f"{session_checks.MAX_ARCHIVE_BYTES // 2**20} MiB",
        "legacy.ganviz": "not a ganviz session (not a zip archive as torch.save writes)",
        "prefixed.ganviz": "not a ganviz session (not a zip archive as torch.save writes)",
    }
    for name, message in expected.items():
        with pytest.raises(session.SessionError) as error:
            session.load(tmp_path / name)
        assert str(error.value) == f"{name}: {message}" + (
            ": not opened" if "at most" in message else ""), name


@pytest.mark.parametrize("preset, overrides, points", [
    ("gaussian", {"minibatch_discrimination": True}, None),  # the most tensors
    ("ring8", {"noise_dim": 8, "dataset": "custom"}, 1_000_000),  # the most numbers
])
def test_the_largest_session_the_settings_allow_fits_the_caps(tmp_path, preset, overrides,
                                                              points):
    """If the networks grow, this fails first: raise session_checks' caps with them."""
    widest = {"g_width": 512, "g_layers": 6, "d_width": 512, "d_layers": 6, "batch_size": 8}
    data = None if points is None else data2d.Points2D(
        np.random.default_rng(0).normal(size=(points, 2)).astype(np.float32), "many")
    trainer = Trainer(preset, {**widest, **overrides}, data=data, pretrain=False)
    trainer.run(1)
    path = session.save(trainer, tmp_path / "largest.ganviz")
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    unpacked = sum(entry.file_size for entry in entries)
    assert unpacked < 0.75 * session_checks.MAX_STATE_BYTES  # a margin for growth
    assert len(entries) < session_checks.MAX_ENTRIES / 4
    assert max(e.file_size for e in entries) < session_checks.MAX_ARCHIVE_BYTES
    pickled = next(e.file_size for e in entries if e.filename.endswith("/data.pkl"))
    assert pickled < session_checks.MAX_PICKLE_BYTES / 4
    assert path.stat().st_size < session_checks.MAX_FILE_BYTES
    assert session.load(path).step_count == 1


