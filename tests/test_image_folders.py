"""Folders of pictures as training data: found, cropped, resized, cached, bounded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganviz.core.images import folder as pictures
from ganviz.core.images.sources import DataError


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path / "cache"))


def draw_folder(root: Path, count: int = 12, seed: int = 0) -> dict[str, tuple]:
    """Pictures of a coloured disc on a coloured ground, of several sizes and shapes, PNG
    and JPEG, in nested folders, and three files that are not pictures (a corrupt PNG, an
    empty JPEG, a text). Returns each picture's (ground, disc) colours by relative path."""
    rng = np.random.default_rng(seed)
    colours = {}
    for index in range(count):
        width, height = int(rng.integers(30, 200)), int(rng.integers(30, 200))
        ground, disc = (tuple(int(v) for v in rng.integers(0, 256, 3)) for _ in range(2))
        rows, columns = np.mgrid[:height, :width]
        radius = min(width, height) / 4
        inside = (rows - height / 2) ** 2 + (columns - width / 2) ** 2 < radius ** 2
        pixels = np.where(inside[..., None], disc, ground).astype(np.uint8)
        where = root / ("deep/er" if index % 3 == 0 else "a" if index % 3 == 1 else "")
        where.mkdir(parents=True, exist_ok=True)
        name = f"p{index:02d}.{'png' if index % 2 else 'jpg'}"
        Image.fromarray(pixels).save(where / name, quality=95)
        colours[str((where / name).relative_to(root))] = (ground, disc)
    (root / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (root / "empty.JPG").write_bytes(b"")
    (root / "notes.txt").write_text("not a picture")
    return colours


def test_a_folder_is_prepared_once_with_unreadable_pictures_counted(tmp_path):
    colours = draw_folder(tmp_path / "pics")
    images, report = pictures.prepare_folder(tmp_path / "pics", 32, 3)
    assert images.pixels.shape == (12, 32, 32, 3) and images.pixels.dtype == np.uint8
    assert (report.kept, report.skipped, report.left_out) == (12, 2, 0)
    assert "12 pictures" in images.source and "2 unreadable skipped" in images.source
    assert images.labels is None
    # In name order; each centre-cropped: its centre is the disc, its corner the ground.
    for picture, path in zip(images.pixels, sorted(colours), strict=True):
        ground, disc = colours[path]
        assert np.abs(picture[16, 16].astype(int) - disc).max() < 12, path
        assert np.abs(picture[0, 0].astype(int) - ground).max() < 12, path
    # The second time comes from the cache without reading a picture.
    def refuse(*_args):
        raise AssertionError("a cached folder was read again")

    original = pictures.read_picture
    pictures.read_picture = refuse
    try:
        again, _ = pictures.prepare_folder(tmp_path / "pics", 32, 3)
    finally:
        pictures.read_picture = original
    assert np.array_equal(again.pixels, images.pixels)
    grey, _ = pictures.prepare_folder(tmp_path / "pics", 16, 1)  # another size: another key
    assert grey.pixels.shape == (12, 16, 16, 1)


def test_a_changed_folder_or_damaged_cache_is_prepared_again(tmp_path):
    draw_folder(tmp_path / "pics", count=4)
    first, _ = pictures.prepare_folder(tmp_path / "pics", 16, 3)
    Image.new("RGB", (40, 40), (255, 0, 0)).save(tmp_path / "pics" / "zz.png")
    second, _ = pictures.prepare_folder(tmp_path / "pics", 16, 3)
    assert len(first) == 4 and len(second) == 5
    assert np.all(second.pixels[-1, ..., 0] > 240) and np.all(second.pixels[-1, ..., 1] < 15)
    expected = np.array(second.pixels)  # a copy: the file under the map is damaged next
    del first, second
    for damaged in (tmp_path / "cache" / "folders").glob("*.u8"):
        damaged.unlink()
        damaged.write_bytes(b"\0" * 100)  # shorter than its description says
    third, _ = pictures.prepare_folder(tmp_path / "pics", 16, 3)
    assert np.array_equal(third.pixels, expected)


def test_folders_without_pictures_are_one_line(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "a.txt").write_text("x")
    with pytest.raises(DataError, match="no PNG or JPEG picture here") as error:
        pictures.prepare_folder(tmp_path / "empty", 32, 3)
    assert "\n" not in str(error.value)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.png").write_bytes(b"garbage")
    with pytest.raises(DataError, match="none of its 1 pictures could be read"):
        pictures.prepare_folder(tmp_path / "bad", 32, 3)
    with pytest.raises(DataError, match="not a folder"):
        pictures.prepare_folder(tmp_path / "missing", 32, 3)
    assert not list((tmp_path / "cache").rglob("*.u8"))  # nothing half-written kept


def test_what_a_hostile_folder_may_cost_is_bounded(tmp_path, monkeypatch):
    draw_folder(tmp_path / "pics", count=9)
    monkeypatch.setattr(pictures, "MAX_IMAGES", 5)
    images, report = pictures.prepare_folder(tmp_path / "pics", 16, 3)
    assert len(images) + report.skipped == 5 and report.left_out == 6  # 9 + 2 broken - 5
    # A picture claiming more pixels than allowed is skipped from its header, undecoded.
    Image.new("RGB", (3000, 3000)).save(tmp_path / "huge.png")
    monkeypatch.setattr(pictures, "MAX_PIXELS", 1_000_000)
    assert pictures.read_picture(tmp_path / "huge.png", 16, 3) is None
    monkeypatch.setattr(pictures, "MAX_FILE_BYTES", 10)
    assert pictures.read_picture(tmp_path / "huge.png", 16, 3) is None


def test_cancel_keeps_nothing(tmp_path):
    draw_folder(tmp_path / "pics", count=6)
    with pytest.raises(pictures.PreparationCancelled):
        pictures.prepare_folder(tmp_path / "pics", 16, 3, cancel=lambda: True)
    assert not list((tmp_path / "cache").rglob("*.u8"))
