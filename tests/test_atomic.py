"""One atomic write: the old file stays whole until the new one is complete."""

import os
import time

import pytest

from ganviz.core.atomic import atomic_path, atomic_write, sweep_partials


def test_a_complete_write_replaces_the_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with atomic_write(path, "w", encoding="utf-8") as file:
        file.write("new")
        assert path.read_text() == "old"  # not yet
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.parametrize("keep_suffix", [False, True])
def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path, keep_suffix):
    path = tmp_path / "out.png"
    path.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"), atomic_path(path, keep_suffix) as tmp:
        assert tmp.suffix == (".png" if keep_suffix else ".partial")
        tmp.write_bytes(b"half")
        raise OSError("disk full")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_only_old_partials_are_swept(tmp_path):
    old, fresh = tmp_path / ".data.bin.123.partial", tmp_path / ".data.bin.456.partial"
    legacy, other = tmp_path / "data.bin.part-abc", tmp_path / ".other.bin.123.partial"
    for path in (old, fresh, legacy, other):
        path.write_bytes(b"half")
    long_ago = time.time() - 7200
    for path in (old, legacy, other):
        os.utime(path, (long_ago, long_ago))
    sweep_partials(tmp_path, "data.bin", 3600, also=["data.bin.part-*"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh.name, other.name])


def test_the_sweep_takes_the_name_literally_and_only_our_own_partials(tmp_path):
    ours, lookalike = tmp_path / ".run[1].ganviz.77.partial", tmp_path / ".run1.ganviz.77.partial"
    not_a_pid = tmp_path / ".run[1].ganviz.x.y.partial"
    for path in (ours, lookalike, not_a_pid):
        path.write_bytes(b"half")
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    sweep_partials(tmp_path, "run[1].ganviz", 3600)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([lookalike.name, not_a_pid.name])


def test_a_device_or_folder_is_never_replaced_and_a_link_stays_a_link(tmp_path):
    import os

    import pytest

    from ganviz.core.atomic import atomic_path, atomic_write

    folder = tmp_path / "folder"
    folder.mkdir()
    for write in (lambda p: atomic_write(p), lambda p: atomic_path(p)):
        with pytest.raises(OSError, match="not a regular file"), write(folder):
            pass
    assert folder.is_dir()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"), atomic_write(fifo):
        pass
    assert not fifo.is_file() and fifo.exists()
    target = tmp_path / "target.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with atomic_write(link, "w") as file:
        file.write("new")
    assert link.is_symlink() and target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "link.txt", "pipe",
                                                          "target.txt"]
