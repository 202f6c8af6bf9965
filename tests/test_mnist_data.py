"""The MNIST data layer: IDX reading, its refusals, the bundled split, folders, cache."""

from __future__ import annotations

import gzip
import hashlib
import logging
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from ganviz.core.images import dataset as image_dataset
from ganviz.core.mnist import data as mnist
from ganviz.core.mnist.data import DataError, MnistData

IMAGES_GZ = "t10k-images-idx3-ubyte.gz"
LABELS_GZ = "t10k-labels-idx1-ubyte.gz"
IMAGES_RAW = "t10k-images-idx3-ubyte"
LABELS_RAW = "t10k-labels-idx1-ubyte"

# The official test split: size, md5 and how many of each digit.
OFFICIAL = {
    IMAGES_GZ: (1_648_877, "9fb629c4189551a2d022fa330f9573f3"),
    LABELS_GZ: (4_542, "ec29112dd5afa0611ce80d1b7f02629c"),
}
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def bundled(name: str) -> Path:
    return mnist.bundled_dir() / "mnist" / name


@pytest.fixture(scope="module")
def bundled_data() -> MnistData:
    return mnist.load_bundled()


@pytest.fixture(scope="module")
def raw_bytes() -> dict[str, bytes]:
    """The two test-split files, decompressed."""
    return {
        IMAGES_RAW: gzip.decompress(bundled(IMAGES_GZ).read_bytes()),
        LABELS_RAW: gzip.decompress(bundled(LABELS_GZ).read_bytes()),
    }


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def refusal(path: Path) -> str:
    """read_idx's DataError message for ``path``, checked to be one line naming the file."""
    with pytest.raises(DataError) as info:
        mnist.read_idx(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(path.name + ": ")
    return message


# ------------------------------------------------------------------ bundled split


def test_bundled_split_is_the_official_test_split(bundled_data: MnistData) -> None:
    assert bundled_data.images.shape == (10_000, 28, 28)
    assert bundled_data.images.dtype == np.uint8
    assert bundled_data.labels.shape == (10_000,)
    assert bundled_data.labels.dtype == np.uint8
    assert np.bincount(bundled_data.labels, minlength=10).tolist() == TEST_COUNTS
    assert int(bundled_data.images.max()) == 255
    assert int(bundled_data.images.min()) == 0
    assert len(bundled_data) == 10_000
    assert bundled_data.source == "bundled test split (10,000 digits)"
    # The first test digit is a 7 (a well-known fact about the file).
    assert int(bundled_data.labels[0]) == 7


def test_bundled_files_are_byte_identical_to_the_official_ones() -> None:
    for name, (size, md5) in OFFICIAL.items():
        data = bundled(name).read_bytes()
        assert len(data) == size
        assert hashlib.md5(data).hexdigest() == md5


def test_bundled_readme_credits_and_licenses() -> None:
    text = (mnist.bundled_dir() / "mnist" / "README.md").read_text(encoding="utf-8")
    for needed in ("Yann LeCun", "Corinna Cortes", "Burges", "CC BY-SA 3.0", "10,000"):
        assert needed in text
    for size, md5 in OFFICIAL.values():
        assert f"{size:,}" in text
        assert md5 in text


def test_bundled_dir_falls_back_to_the_checkout() -> None:
    # Run from a source checkout, ganviz.resources is not a package yet.
    assert (mnist.bundled_dir() / "mnist" / IMAGES_GZ).is_file()


# ------------------------------------------------------------------------ read_idx


def test_raw_and_gzipped_read_identically(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    for gz_name, raw_name in ((IMAGES_GZ, IMAGES_RAW), (LABELS_GZ, LABELS_RAW)):
        from_gz = mnist.read_idx(bundled(gz_name))
        from_raw = mnist.read_idx(write(tmp_path / raw_name, raw_bytes[raw_name]))
        assert from_gz.dtype == from_raw.dtype == np.uint8
        assert np.array_equal(from_gz, from_raw)
    assert mnist.read_idx(tmp_path / IMAGES_RAW).shape == (10_000, 28, 28)
    assert mnist.read_idx(tmp_path / LABELS_RAW).shape == (10_000,)


def test_gzip_is_detected_by_content_not_name(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    # A gzip'd file without .gz and a raw file with .gz both read.
    gz_no_suffix = write(tmp_path / "labels-gz", bundled(LABELS_GZ).read_bytes())
    raw_with_suffix = write(tmp_path / "labels-raw.gz", raw_bytes[LABELS_RAW])
    expected = mnist.read_idx(bundled(LABELS_GZ))
    assert np.array_equal(mnist.read_idx(gz_no_suffix), expected)
    assert np.array_equal(mnist.read_idx(raw_with_suffix), expected)


def test_returned_arrays_are_writable(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    labels = mnist.read_idx(write(tmp_path / LABELS_RAW, raw_bytes[LABELS_RAW]))
    labels[0] = 3  # would raise on a read-only view of the file's bytes
    assert labels[0] == 3


def test_truncated_raw_file(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    path = write(tmp_path / IMAGES_RAW, raw_bytes[IMAGES_RAW][:123_456])
    message = refusal(path)
    assert "truncated" in message
    assert "10000 images of 28x28 (7840016 bytes)" in message
    assert "123456" in message


def test_truncated_gzip_file(tmp_path: Path) -> None:
    data = bundled(IMAGES_GZ).read_bytes()
    path = write(tmp_path / IMAGES_GZ, data[: len(data) // 2])
    assert "truncated" in refusal(path)


def test_gzip_of_a_truncated_idx(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    # A valid gzip stream whose content is cut short.
    path = write(tmp_path / LABELS_GZ, gzip.compress(raw_bytes[LABELS_RAW][:5_000]))
    message = refusal(path)
    assert "truncated" in message
    assert "10000 labels (10008 bytes)" in message
    assert "5000" in message


def test_truncated_header(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    assert "truncated" in refusal(write(tmp_path / IMAGES_RAW, raw_bytes[IMAGES_RAW][:10]))
    assert "truncated" in refusal(write(tmp_path / "three", b"\x00\x00\x08"))
    assert "empty" in refusal(write(tmp_path / "empty", b""))


def test_trailing_garbage_raw_and_gzip(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    longer = raw_bytes[LABELS_RAW] + b"\x01\x02\x03"
    for path in (
        write(tmp_path / LABELS_RAW, longer),
        write(tmp_path / LABELS_GZ, gzip.compress(longer)),
    ):
        message = refusal(path)
        assert "trailing garbage" in message
        assert "10008 bytes" in message
        assert "10011" in message


def test_wrong_magic(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    data = struct.pack(">I", 0x00000C03) + raw_bytes[IMAGES_RAW][4:]
    message = refusal(write(tmp_path / IMAGES_RAW, data))
    assert "magic" in message
    assert "0x00000c03" in message
    assert "0x00000803" in message and "0x00000801" in message


def test_not_an_idx_file_at_all(tmp_path: Path) -> None:
    message = refusal(write(tmp_path / "notes.txt", b"hello, this is text\n"))
    assert "magic" in message


def test_zero_dimension_is_refused(tmp_path: Path) -> None:
    header = struct.pack(">IIII", 0x803, 10, 0, 28)
    assert "implausible" in refusal(write(tmp_path / "zero", header))


def test_huge_header_does_not_allocate(tmp_path: Path) -> None:
    # A damaged count of 4 billion must be reported, not attempted.
    header = struct.pack(">IIII", 0x803, 0xFFFFFFFF, 28, 28) + bytes(100)
    message = refusal(write(tmp_path / "huge", header))
    assert "implausible header" in message
    assert "4294967295 images" in message


def test_corrupt_gzip(tmp_path: Path) -> None:
    data = bytearray(bundled(IMAGES_GZ).read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 16):
        data[i] ^= 0xFF
    message = refusal(write(tmp_path / IMAGES_GZ, bytes(data)))
    assert "corrupt gzip" in message or "truncated" in message


def test_gzip_crc_mismatch(tmp_path: Path) -> None:
    # Break only the stored CRC-32 (bytes -8..-5): the deflate stream is intact,
    # so only the CRC check can notice.
    data = bytearray(bundled(LABELS_GZ).read_bytes())
    data[-8] ^= 0xFF
    message = refusal(write(tmp_path / LABELS_GZ, bytes(data)))
    assert "corrupt gzip" in message
    assert "CRC" in message


def test_labels_out_of_range(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    data = bytearray(raw_bytes[LABELS_RAW])
    data[8 + 42] = 12
    message = refusal(write(tmp_path / LABELS_RAW, bytes(data)))
    assert "label 12 out of range 0..9" in message
    assert "index 42" in message


def test_missing_file(tmp_path: Path) -> None:
    message = refusal(tmp_path / IMAGES_GZ)
    assert "not found" in message
    assert str(tmp_path) in message


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / IMAGES_GZ
    folder.mkdir()
    message = refusal(folder)
    assert "folder" in message


def test_data_error_is_a_value_error_and_keeps_its_parts() -> None:
    error = DataError("x.gz", "bad\nthing")
    assert isinstance(error, ValueError)
    assert str(error) == "x.gz: bad thing"
    assert (error.file, error.problem) == ("x.gz", "bad\nthing")


# ------------------------------------------------------------------- load_pair


def test_load_pair_refuses_mismatched_counts(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    labels = raw_bytes[LABELS_RAW]
    short = struct.pack(">II", 0x801, 9_999) + labels[8:-1]
    write(tmp_path / LABELS_RAW, short)
    with pytest.raises(DataError) as info:
        mnist.load_pair(bundled(IMAGES_GZ), tmp_path / LABELS_RAW)
    message = str(info.value)
    assert "9999 labels" in message and "10000 images" in message
    assert LABELS_RAW in message and IMAGES_GZ in message


def test_load_pair_refuses_swapped_files() -> None:
    with pytest.raises(DataError, match="labels file, expected an images file"):
        mnist.load_pair(bundled(LABELS_GZ), bundled(LABELS_GZ))
    with pytest.raises(DataError, match="images file, expected a labels file"):
        mnist.load_pair(bundled(IMAGES_GZ), bundled(IMAGES_GZ))


def test_load_pair_refuses_other_image_sizes(tmp_path: Path) -> None:
    images = struct.pack(">IIII", 0x803, 2, 32, 32) + bytes(2 * 32 * 32)
    labels = struct.pack(">II", 0x801, 2) + bytes([1, 2])
    with pytest.raises(DataError, match="32x32, MNIST digits are 28x28"):
        mnist.load_pair(write(tmp_path / "i", images), write(tmp_path / "l", labels))


def test_load_pair_small_synthetic(tmp_path: Path) -> None:
    pixels = np.arange(3 * 28 * 28, dtype=np.uint32) % 256
    images = struct.pack(">IIII", 0x803, 3, 28, 28) + pixels.astype(np.uint8).tobytes()
    labels = struct.pack(">II", 0x801, 3) + bytes([0, 9, 4])
    data = mnist.load_pair(write(tmp_path / "i", images), write(tmp_path / "l", labels))
    assert data.labels.tolist() == [0, 9, 4]
    assert data.images.reshape(-1).tolist() == pixels.tolist()
    assert data.source == str(tmp_path)


# ---------------------------------------------------------------------- as_float


def test_as_float_ranges(bundled_data: MnistData) -> None:
    default = bundled_data.as_float()
    assert default.dtype == np.float32
    assert default.shape == (10_000, 28, 28)
    assert float(default.min()) == -1.0 and float(default.max()) == 1.0

    unit = bundled_data.as_float(0.0, 1.0)
    assert float(unit.min()) == 0.0 and float(unit.max()) == 1.0
    # 51 is 1/5 of 255.
    where = bundled_data.images == 51
    assert where.any()
    assert np.allclose(unit[where], 0.2)

    wide = bundled_data.as_float(-2.0, 3.0)
    assert float(wide.min()) == -2.0 and float(wide.max()) == 3.0
    # The map is affine: the mean moves with it.
    assert np.isclose(float(wide.mean()), -2.0 + 5.0 * float(unit.mean()), rtol=1e-5)


def test_mnist_data_checks_its_arrays() -> None:
    with pytest.raises(ValueError):
        MnistData(np.zeros((2, 28, 28), np.float32), np.zeros(2, np.uint8), "x")
    with pytest.raises(ValueError):
        MnistData(np.zeros((2, 27, 28), np.uint8), np.zeros(2, np.uint8), "x")
    with pytest.raises(ValueError):
        MnistData(np.zeros((2, 28, 28), np.uint8), np.zeros(3, np.uint8), "x")


# ---------------------------------------------------------------------- load_dir


def test_load_dir_raw_test_split(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    for name, data in raw_bytes.items():
        write(tmp_path / name, data)
    data = mnist.load_dir(tmp_path)
    assert data.images.shape == (10_000, 28, 28)
    assert np.bincount(data.labels, minlength=10).tolist() == TEST_COUNTS
    assert data.source == str(tmp_path)


def test_load_dir_mixed_gz_and_raw(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    shutil.copy(bundled(IMAGES_GZ), tmp_path / IMAGES_GZ)
    write(tmp_path / LABELS_RAW, raw_bytes[LABELS_RAW])
    assert len(mnist.load_dir(tmp_path)) == 10_000


def test_load_dir_prefers_train(tmp_path: Path) -> None:
    for name in (IMAGES_GZ, LABELS_GZ):
        shutil.copy(bundled(name), tmp_path / name)
    # A tiny but valid "training split" next to the test split wins.
    images = struct.pack(">IIII", 0x803, 2, 28, 28) + bytes(2 * 28 * 28)
    labels = struct.pack(">II", 0x801, 2) + bytes([5, 6])
    write(tmp_path / "train-images-idx3-ubyte", images)
    write(tmp_path / "train-labels-idx1-ubyte.gz", gzip.compress(labels))
    data = mnist.load_dir(tmp_path)
    assert len(data) == 2
    assert data.labels.tolist() == [5, 6]


def test_load_dir_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        mnist.load_dir(tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert str(tmp_path) in message
    assert "no MNIST files found" in message
    for looked_for in ("train-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz]"):
        assert looked_for in message


def test_load_dir_half_a_split(tmp_path: Path) -> None:
    shutil.copy(bundled(IMAGES_GZ), tmp_path / IMAGES_GZ)
    with pytest.raises(DataError, match=r"not its partner t10k-labels-idx1-ubyte\[\.gz\]"):
        mnist.load_dir(tmp_path)


def test_load_dir_missing_folder_and_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="folder not found"):
        mnist.load_dir(tmp_path / "nope")
    with pytest.raises(DataError, match="expected a folder"):
        mnist.load_dir(write(tmp_path / "file", b"x"))


def test_load_dir_reports_a_bad_file(tmp_path: Path, raw_bytes: dict[str, bytes]) -> None:
    write(tmp_path / IMAGES_RAW, raw_bytes[IMAGES_RAW][:-1])
    write(tmp_path / LABELS_RAW, raw_bytes[LABELS_RAW])
    with pytest.raises(DataError, match=f"^{IMAGES_RAW}: truncated"):
        mnist.load_dir(tmp_path)


# ------------------------------------------------------------ cache, load_default


def test_cache_dir_platforms(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path))
    assert mnist.cache_dir() == tmp_path / "mnist"

    monkeypatch.delenv("GANVIZ_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(image_dataset.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist.cache_dir() == tmp_path / "xdg" / "ganviz" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert mnist.cache_dir() == tmp_path / "home" / ".cache" / "ganviz" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mnist.cache_dir() == tmp_path / "home" / ".cache" / "ganviz" / "mnist"

    monkeypatch.setattr(image_dataset.sys, "platform", "darwin")
    assert mnist.cache_dir() == tmp_path / "home" / "Library" / "Caches" / "ganviz" / "mnist"

    monkeypatch.setattr(image_dataset.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert mnist.cache_dir() == tmp_path / "local" / "ganviz" / "Cache" / "mnist"


def test_load_default_falls_back_to_bundled(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path))
    data = mnist.load_default()
    assert data.source == mnist.BUNDLED_SOURCE
    assert len(data) == 10_000


def training_split_from_test_split(raw_bytes: dict[str, bytes]) -> tuple[bytes, bytes]:
    """A structurally valid 60,000-digit "training split": the test split six times."""
    images = struct.pack(">IIII", 0x803, 60_000, 28, 28) + raw_bytes[IMAGES_RAW][16:] * 6
    labels = struct.pack(">II", 0x801, 60_000) + raw_bytes[LABELS_RAW][8:] * 6
    return images, labels


def test_load_default_uses_a_valid_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, raw_bytes: dict[str, bytes]
) -> None:
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path))
    cache = tmp_path / "mnist"
    cache.mkdir()
    images, labels = training_split_from_test_split(raw_bytes)
    write(cache / "train-images-idx3-ubyte", images)
    write(cache / "train-labels-idx1-ubyte", labels)
    data = mnist.load_default()
    assert data.source == f"full training split from {cache}"
    assert data.images.shape == (60_000, 28, 28)
    assert np.bincount(data.labels, minlength=10).tolist() == [6 * c for c in TEST_COUNTS]


def test_load_default_ignores_a_bad_cache(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    raw_bytes: dict[str, bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path))
    cache = tmp_path / "mnist"
    cache.mkdir()
    caplog.set_level(logging.WARNING, logger="ganviz.core.mnist.data")

    # Truncated training images: refused, bundled split used, a warning logged.
    images, labels = training_split_from_test_split(raw_bytes)
    write(cache / "train-images-idx3-ubyte", images[:-1])
    write(cache / "train-labels-idx1-ubyte", labels)
    assert mnist.load_default().source == mnist.BUNDLED_SOURCE
    assert "truncated" in caplog.text
    assert (cache / "train-images-idx3-ubyte").exists()  # never deleted

    # Valid files but only 10,000 digits: not the full training split.
    caplog.clear()
    write(cache / "train-images-idx3-ubyte", raw_bytes[IMAGES_RAW])
    write(cache / "train-labels-idx1-ubyte", raw_bytes[LABELS_RAW])
    assert mnist.load_default().source == mnist.BUNDLED_SOURCE
    assert "10000 digits, not 60000" in caplog.text

    # Half a split (an interrupted download): quietly the bundled split.
    caplog.clear()
    (cache / "train-labels-idx1-ubyte").unlink()
    assert mnist.load_default().source == mnist.BUNDLED_SOURCE
    assert caplog.text == ""
