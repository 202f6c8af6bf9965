"""Fuzzing the file readers (issue #25, "Nothing breaks it").

Whatever bytes a user's file holds, the MNIST IDX reader and the 2-D points reader
either return well-formed data or raise their own one-line error (DataError,
PointsError); any other exception fails. Mutants of small valid files (truncated,
flipped, re-headed, padded, garbage) are generated with a fixed seed. The bombs (a
small gzip claiming 200,000 images, streams that expand far past their header, files
far larger than they should be) are refused from their headers or sizes: what they
decompress is counted, and what they allocate is measured with tracemalloc.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from ganviz.core.mnist import idx
from ganviz.core.mnist.data import DataError, bundled_dir, load_pair
from ganviz.core.toy2d import points as points_module
from ganviz.core.toy2d.points import PointsError, load_points

SEED = 25
N_DIGITS = 50
MUTANTS_PER_FILE = 40  # for each of the 4 IDX and 2 points originals
EXAMPLE_CSV = Path(__file__).resolve().parent.parent / "examples" / "points.csv"
MB = 2**20
# The bombs must cost next to nothing (refused from a header or a size; a trailing
# stream is followed 1 MB). A real read may take up to idx.MAX_PAYLOAD (55 MB); the
# issue's bomb took 300 MB before it was refused.
MEMORY_BOUND_MB = 8


def gzip_zeros_after(prefix: bytes, zeros: int) -> bytes:
    """``prefix`` then ``zeros`` zero bytes, gzip'd into ~1 KB per MB (concatenated
    members, which gzip readers treat as one stream): a bomb, cheap to build."""
    one_mb = gzip.compress(bytes(MB), 9)
    whole, rest = divmod(zeros, MB)
    return gzip.compress(prefix, 9) + one_mb * whole + gzip.compress(bytes(rest), 9)


def idx_header(magic: int, *dims: int) -> bytes:
    return struct.pack(f">I{len(dims)}I", magic, *dims)


def make_originals() -> SimpleNamespace:
    """Small valid files' bytes: 50 real digits (raw and gzip'd) and a points csv/npy."""
    images = idx.read_idx(bundled_dir() / "mnist" / "t10k-images-idx3-ubyte.gz")[:N_DIGITS]
    labels = idx.read_idx(bundled_dir() / "mnist" / "t10k-labels-idx1-ubyte.gz")[:N_DIGITS]
    images_raw = idx_header(idx.IMAGES_MAGIC, N_DIGITS, 28, 28) + images.tobytes()
    labels_raw = idx_header(idx.LABELS_MAGIC, N_DIGITS) + labels.tobytes()
    csv = EXAMPLE_CSV.read_bytes()
    points = np.loadtxt(EXAMPLE_CSV, delimiter=",", skiprows=1)
    buffer = io.BytesIO()
    np.save(buffer, points)
    return SimpleNamespace(
        images=images, labels=labels, images_raw=images_raw, labels_raw=labels_raw,
        csv=csv, points=points, npy=buffer.getvalue(),
    )


@pytest.fixture(scope="module")
def originals() -> SimpleNamespace:
    return make_originals()


# ---------------------------------------------------------------------------- mutants


def mutate_bytes(data: bytes, rng: np.random.Generator, header: int) -> bytes:
    """One random damage to ``data``, whose first ``header`` bytes are its header."""
    b = bytearray(data)
    kind = int(rng.integers(10))
    if kind == 0:  # truncated at a random offset
        return bytes(b[: int(rng.integers(len(b)))])
    if kind == 1:  # a few bytes flipped anywhere
        for i in rng.integers(len(b), size=int(rng.integers(1, 9))):
            b[i] ^= int(rng.integers(1, 256))
        return bytes(b)
    if kind == 2:  # a byte flipped in the header
        b[int(rng.integers(header))] ^= int(rng.integers(1, 256))
        return bytes(b)
    if kind == 3:  # trailing junk
        return bytes(b) + rng.bytes(int(rng.integers(1, 300)))
    if kind == 4:  # a range deleted
        i = int(rng.integers(len(b)))
        return bytes(b[:i] + b[i + int(rng.integers(1, 100)) :])
    if kind == 5:  # random bytes inserted
        i = int(rng.integers(len(b)))
        return bytes(b[:i] + rng.bytes(int(rng.integers(1, 50))) + b[i:])
    if kind == 6:  # binary garbage
        return rng.bytes(int(rng.integers(0, 3000)))
    if kind == 7:  # text garbage
        letters = np.frombuffer(b"abc xyz,;.-+e0123456789\n\t#nanif", dtype=np.uint8)
        return rng.choice(letters, size=int(rng.integers(0, 3000))).tobytes()
    if kind == 8:  # nearly empty
        return bytes(b[: int(rng.integers(0, 8))])
    return bytes(b)  # unchanged: must load


def mutate_idx(raw: bytes, rng: np.random.Generator) -> bytes:
    """IDX-aware damage, or generic damage; sometimes gzip'd, sometimes damaged after."""
    b = bytearray(raw)
    header = 16 if raw[3] == 3 else 8
    kind = int(rng.integers(6))
    if kind == 0:  # a huge or random count
        count = int(rng.choice([idx.MAX_COUNT + 1, 200_000, 2**32 - 1, int(rng.integers(2**32))]))
        b[4:8] = struct.pack(">I", count)
    elif kind == 1 and header == 16:  # huge or random image dimensions
        b[8 + 4 * int(rng.integers(2)) :][:4] = struct.pack(">I", int(rng.integers(2**32)))
    elif kind == 2:  # wrong magic: the data-type code or the number of dimensions
        codes = [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 1, 2, 255]
        b[2 + int(rng.integers(2))] = int(rng.choice(codes))
    elif kind == 3:  # a wholly wrong magic number
        b[0:4] = rng.bytes(4)
    else:
        b = bytearray(mutate_bytes(raw, rng, header))
    out = bytes(b)
    if rng.random() < 0.5:
        out = gzip.compress(out, 6)
        if rng.random() < 0.5:  # then damage the compressed stream itself
            out = mutate_bytes(out, rng, 10)
    return out


def mutate_csv(csv: bytes, rng: np.random.Generator) -> bytes:
    lines = csv.split(b"\n")
    kind = int(rng.integers(6))
    at = int(rng.integers(1, len(lines)))
    if kind == 0:  # a non-finite or out-of-range value
        value = rng.choice([b"nan", b"inf", b"-inf", b"1e400", b"1e7", b"NaN", b"-1e309"])
        lines[at] = value + b"," + lines[at].split(b",")[-1]
    elif kind == 1:  # an enormous line, with or without its end
        lines[at] = b"1" * int(rng.integers(4000, 20_000)) + b",2"
        if rng.random() < 0.5:
            lines = lines[: at + 1]
    elif kind == 2:  # a third column, or one column
        lines[at] = lines[at] + b",3" if rng.random() < 0.5 else lines[at].split(b",")[0]
    elif kind == 3:  # other line ends and separators: must still load
        return csv.replace(b"\n", b"\r\n").replace(b",", rng.choice([b";", b" , ", b","]))
    else:
        return mutate_bytes(csv, rng, 4)
    return b"\n".join(lines)


def npy_with_header(text: str, data: bytes, version: int = 1) -> bytes:
    """A .npy whose header dictionary is ``text``, verbatim (so it may be a lie)."""
    body = text.encode("latin1") + b" "
    size_format = "<H" if version == 1 else "<I"
    head = 10 if version == 1 else 12
    body += b" " * ((-(head + len(body) + 1)) % 64) + b"\n"
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack(size_format, len(body)) + body + data


_HEADER = "{{'descr': {}, 'fortran_order': {}, 'shape': {}, }}".format
NPY_HEADERS = [  # each a lie or a malformation, over 400 float64 points' bytes
    _HEADER("'<f8'", False, "(1000000000000, 2)"), _HEADER("'<f8'", False, "(-5, 2)"),
    _HEADER("'<f8'", False, "(400, 3)"), _HEADER("'<f8'", False, "()"),
    _HEADER("'<f8'", True, "(400, 2)"), _HEADER("'>f8'", False, "(400, 2)"),
    _HEADER("'<f4'", False, "(800, 2)"), _HEADER("'<f2'", False, "(3200, 2)"),
    _HEADER("'|O'", False, "(400, 2)"), _HEADER("'<U2'", False, "(400, 2)"),
    _HEADER("'<c16'", False, "(200, 2)"), _HEADER("[('x', '<f8')]", False, "(400, 2)"),
    _HEADER("'<f8'", False, "(400.5, 2)"), _HEADER("__import__('os').getcwd()", False, "(4, 2)"),
    "{'descr': '<f8', 'shape': (400, 2), }", "not a dictionary at all",
]


def mutate_npy(npy: bytes, rng: np.random.Generator) -> bytes:
    data = npy[128:]  # np.save's version 1.0 header is 128 bytes for this array
    kind = int(rng.integers(4))
    if kind == 0:  # a lying or malformed header over the real data
        text = NPY_HEADERS[int(rng.integers(len(NPY_HEADERS)))]
        return npy_with_header(text, data, version=int(rng.choice([1, 2])))
    if kind == 1:  # data values flipped into NaNs, infinities or huge numbers
        values = np.frombuffer(data, dtype="<f8").copy()
        values[rng.integers(len(values), size=3)] = rng.choice([np.nan, np.inf, -np.inf, 1e300])
        return npy[:128] + values.tobytes()
    if kind == 2:  # the version or header-length bytes damaged
        b = bytearray(npy)
        b[6 + int(rng.integers(4))] = int(rng.integers(256))
        return bytes(b)
    return mutate_bytes(npy, rng, 128)


# ------------------------------------------------------------------------- oracles


def read_idx_or_refuse(path: Path) -> str:
    try:
        array = idx.read_idx(path)
    except DataError as error:
        text = str(error)
        assert text.startswith(f"{path.name}: ") and "\n" not in text
        return "refused"
    assert array.dtype == np.uint8 and array.ndim in (1, 3)
    assert 0 < array.shape[0] <= idx.MAX_COUNT and array.nbytes <= idx.MAX_PAYLOAD
    if array.ndim == 1:
        assert int(array.max()) <= 9
    return "loaded"


def load_points_or_refuse(path: Path) -> str:
    try:
        points = load_points(path)
    except PointsError as error:
        text = str(error)
        assert text.startswith(f"{path.name}: ") and "\n" not in text
        return "refused"
    assert points.dtype == np.float32 and points.ndim == 2 and points.shape[1] == 2
    assert points_module.MIN_POINTS <= len(points) <= points_module.MAX_POINTS
    assert np.isfinite(points).all() and float(np.abs(points).max()) <= 1e6
    return "loaded"


# --------------------------------------------------------------------------- fuzz


def test_mutated_idx_files_load_well_formed_or_are_refused(tmp_path, originals):
    rng = np.random.default_rng(SEED)
    good_images, good_labels = tmp_path / "good-images", tmp_path / "good-labels"
    good_images.write_bytes(originals.images_raw)
    good_labels.write_bytes(originals.labels_raw)
    outcomes: list[str] = []
    for raw in (originals.images_raw, originals.labels_raw):
        for gzipped in (False, True):
            for _ in range(MUTANTS_PER_FILE):
                data = mutate_idx(raw, rng)
                if gzipped and data[:2] != b"\x1f\x8b":
                    data = gzip.compress(data)
                path = tmp_path / "mutant"
                path.write_bytes(data)
                outcomes.append(read_idx_or_refuse(path))
                pair = (path, good_labels) if raw is originals.images_raw else (good_images, path)
                try:
                    data = load_pair(*pair)
                except DataError as error:
                    assert "\n" not in str(error)
                else:  # MnistData checks its arrays' dtypes and shapes itself
                    assert len(data) == N_DIGITS and int(data.labels.max()) <= 9
    # The fuzz reaches both outcomes (unchanged or harmlessly damaged files do load).
    assert outcomes.count("loaded") >= 10 and outcomes.count("refused") >= 100


def test_mutated_points_files_load_well_formed_or_are_refused(tmp_path, originals):
    rng = np.random.default_rng(SEED + 1)
    outcomes: list[str] = []
    for suffix, original, mutate in ((".csv", originals.csv, mutate_csv),
                                     (".npy", originals.npy, mutate_npy)):
        for i in range(MUTANTS_PER_FILE * 2):
            path = tmp_path / f"mutant{i}{suffix}"
            path.write_bytes(mutate(original, rng))
            outcomes.append(load_points_or_refuse(path))
    assert outcomes.count("loaded") >= 10 and outcomes.count("refused") >= 50


def test_unchanged_originals_load_exactly(tmp_path, originals):
    for name, data in (("i", originals.images_raw), ("l", originals.labels_raw)):
        (tmp_path / name).write_bytes(data)
        (tmp_path / f"{name}.gz").write_bytes(gzip.compress(data))
    for suffix in ("", ".gz"):
        pair = load_pair(tmp_path / f"i{suffix}", tmp_path / f"l{suffix}")
        assert np.array_equal(pair.images, originals.images)
        assert np.array_equal(pair.labels, originals.labels)
    (tmp_path / "p.csv").write_bytes(originals.csv)
    (tmp_path / "p.npy").write_bytes(originals.npy)
    for name in ("p.csv", "p.npy"):
        assert np.array_equal(load_points(tmp_path / name), originals.points.astype(np.float32))


# -------------------------------------------------------------------------- bombs


@pytest.fixture(scope="module")
def bombs(tmp_path_factory, originals) -> SimpleNamespace:
    return make_bombs(tmp_path_factory.mktemp("bombs"), originals)


def make_bombs(folder: Path, originals: SimpleNamespace) -> SimpleNamespace:
    """Small files that would cost a lot if read naively, written into ``folder``."""

    def write(name: str, data: bytes) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    def sparse(name: str, prefix: bytes, size: int) -> Path:
        path = write(name, prefix)
        os.truncate(path, size)  # zeros up to `size`, taking no disk space (a sparse file)
        return path

    return SimpleNamespace(
        labels=write("labels", originals.labels_raw),
        # The file: ~150 KB of gzip claiming, and holding, 200,000 blank digits.
        claims_200k=write("bomb-images.gz", gzip_zeros_after(
            idx_header(idx.IMAGES_MAGIC, 200_000, 28, 28), 200_000 * 784)),
        # A valid 60,000-digit file (~45 KB gzip'd) paired with 50 labels.
        holds_60k=write("blank-images.gz", gzip_zeros_after(
            idx_header(idx.IMAGES_MAGIC, 60_000, 28, 28), 60_000 * 784)),
        # 50 valid labels, then 200 MB of zeros in the same stream.
        trailing=write("trailing-labels.gz", gzip_zeros_after(originals.labels_raw, 200 * MB)),
        raw_trailing=sparse("big-images", originals.images_raw, 256 * MB),
        npy_huge=write("huge.npy", npy_with_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 2), }", b"")),
        npy_big=sparse("big.npy", originals.npy, 256 * MB),
        csv_big=sparse("big.csv", originals.csv, 256 * MB),
        csv_line=write("line.csv", b"x,y\n" + b"1" * (20 * MB)),
    )


class CountingGzip(gzip.GzipFile):
    """GzipFile counting the decompressed bytes it hands out."""

    total = 0

    def read(self, size=-1):
        data = super().read(size)
        CountingGzip.total += len(data)
        return data

    def readinto(self, buffer):  # through read, so that every byte is counted once
        data = self.read(len(buffer))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)


@pytest.fixture
def counting(monkeypatch):
    CountingGzip.total = 0
    monkeypatch.setattr(idx.gzip, "GzipFile", CountingGzip)
    return CountingGzip


def refused(call, *args) -> str:
    with pytest.raises((DataError, PointsError)) as info:
        call(*args)
    assert "\n" not in str(info.value)
    return str(info.value)


def test_gzip_bomb_is_refused_from_its_header(bombs, counting):
    assert bombs.claims_200k.stat().st_size < 200_000
    expected = ("bomb-images.gz: implausible header: says 200000 images of 28x28 "
                "(156800016 bytes); no MNIST file holds more than 70000 images")
    assert refused(idx.read_idx, bombs.claims_200k) == expected
    assert counting.total == 16  # the header, nothing more
    assert refused(load_pair, bombs.claims_200k, bombs.labels) == expected
    assert counting.total == 32


def test_pair_counts_are_compared_before_the_images_are_read(bombs, counting):
    assert refused(load_pair, bombs.holds_60k, bombs.labels) == (
        "labels: holds 50 labels but blank-images.gz holds 60000 images")
    assert counting.total == 16
    assert idx.read_idx_header(bombs.holds_60k) == idx.IdxHeader("images", (60_000, 28, 28))


def test_odd_image_sizes_are_capped_by_payload(tmp_path):
    path = tmp_path / "wide"
    path.write_bytes(idx_header(idx.IMAGES_MAGIC, 1, 10_000, 10_000))
    assert refused(idx.read_idx, path) == (
        "wide: implausible header: says 1 images of 10000x10000 (100000016 bytes); "
        "more than the 54880000 bytes of all MNIST's digits")


def test_trailing_stream_is_followed_only_a_bounded_way(bombs, counting):
    assert refused(idx.read_idx, bombs.trailing) == (
        "trailing-labels.gz: trailing garbage: header says 50 labels (58 bytes) but the "
        "decompressed data holds more than 1048634")
    assert counting.total <= 58 + MB + 1


def test_sizes_are_checked_before_reading(bombs):
    # (The points reader's other caps are tested in test_toy2d.)
    assert refused(idx.read_idx, bombs.raw_trailing) == (
        "big-images: trailing garbage: header says 50 images of 28x28 (39216 bytes) but the "
        "file holds 268435456")
    assert refused(load_points, bombs.npy_big) == (
        "big.npy: 268,435,456 bytes; a points file may be at most 104,857,600")


def test_bombs_cost_little_memory(bombs):
    # tracemalloc sees what Python and numpy allocate (numpy reports its arrays to it),
    # which is where a read's payload would go. (A subprocess's ru_maxrss would not do:
    # on Linux a child inherits its parent's peak, here pytest's with torch loaded.)
    calls = [(idx.read_idx, bombs.claims_200k), (idx.read_idx, bombs.trailing),
             (idx.read_idx, bombs.raw_trailing), (load_pair, bombs.claims_200k, bombs.labels),
             (load_pair, bombs.holds_60k, bombs.labels)]
    calls += [(load_points, path) for path in (bombs.npy_huge, bombs.npy_big, bombs.csv_big,
                                               bombs.csv_line)]
    peaks = {}
    tracemalloc.start()
    try:
        for call, *paths in calls:
            tracemalloc.reset_peak()
            with pytest.raises((DataError, PointsError)):
                call(*paths)
            peaks[paths[0].name] = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    worst = max(peaks, key=peaks.__getitem__)
    assert peaks[worst] < MEMORY_BOUND_MB, f"{worst} took {peaks[worst]:.1f} MB: {peaks}"
