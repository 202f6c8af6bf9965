"""Fashion-MNIST and CIFAR-10: verified downloads from a real HTTP server on 127.0.0.1 (never
the internet), archives read without extracting, hostile pickles and members refused,
the loaders' arrays, ``ganviz data download --dataset`` and the window's dialog.

The real files cannot be had offline: the tests serve small sets built here, in the real
layouts (IDX gzip files; a tar.gz of Python 2 pickles of numpy arrays), with the dataset
table pointed at their sizes and md5s and CIFAR-10's batches cut to 4 images.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import http.server
import io
import pickle
import struct
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from ganviz import cli, cli_data
from ganviz.core.images import cifar_archive, download, standard
from ganviz.core.images.download import DATASETS, DownloadError, download_dataset
from ganviz.core.images.standard import load_cifar10, load_fashion_mnist, read_cifar_archive
from ganviz.core.mnist import download as mnist_download
from ganviz.core.mnist.download import DataFile, DownloadCancelled
from ganviz.core.mnist.idx import DataError

BATCH = 4  # images per CIFAR-10 batch here (10,000 in the real one)
FASHION = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
           "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
ARCHIVE = "cifar-10-python.tar.gz"
META_NAMES = ["AIRPLANE", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY", "GANVIZ_FASHION_MNIST_MIRRORS", "GANVIZ_CIFAR10_MIRRORS",
                 mnist_download.MIRRORS_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cifar_archive, "CIFAR_BATCH", BATCH)


# ------------------------------------------------------------------ building sets


def idx_images(pixels: np.ndarray) -> bytes:
    return gzip.compress(struct.pack(">IIII", 0x803, *pixels.shape) + pixels.tobytes(), mtime=0)


def idx_labels(labels: np.ndarray) -> bytes:
    return gzip.compress(struct.pack(">II", 0x801, len(labels)) + labels.tobytes(), mtime=0)


def fashion_files(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, bytes]]:
    files = {}
    for split, n in (("train", 20), ("t10k", 10)):
        pixels = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        files[f"{split}-images-idx3-ubyte.gz"] = (pixels, idx_images(pixels))
        files[f"{split}-labels-idx1-ubyte.gz"] = (labels, idx_labels(labels))
    return files


class _Python2Pickler(pickle._Pickler):
    """Pickles bytes as Python 2 strings, as the real CIFAR-10 batches were written."""

    dispatch: ClassVar[dict] = dict(pickle._Pickler.dispatch)

    def _save_py2_str(self, obj: bytes) -> None:
        n = len(obj)
        head = (pickle.SHORT_BINSTRING + bytes([n]) if n < 256
                else pickle.BINSTRING + struct.pack("<i", n))
        self.write(head + obj)
        self.memoize(obj)

    dispatch[bytes] = _save_py2_str


def py2_pickle(obj: object) -> bytes:
    out = io.BytesIO()
    _Python2Pickler(out, protocol=2).dump(obj)
    # numpy 1's name for it, as in the real files.
    return out.getvalue().replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")


def cifar_batch(index: int, n: int = BATCH) -> dict:
    data = ((np.arange(n * 3072) + 7 * index) % 251).astype(np.uint8).reshape(n, 3072)
    return {b"batch_label": b"training batch %d of 5" % index,
            b"labels": [(index + i) % 10 for i in range(n)], b"data": data,
            b"filenames": [b"img_%d_%d.png" % (index, i) for i in range(n)]}


def tar_gz(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def member(name: str, data: bytes | None = None, kind: bytes = tarfile.REGTYPE
           ) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    if kind != tarfile.REGTYPE:
        info.linkname = "data_batch_2"
    return info, data


def cifar_members(replace: dict[str, bytes] | None = None,
                  extra: list[tuple[tarfile.TarInfo, bytes | None]] = ()
                  ) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    """The real archive's members (folder, batches in its odd order, meta, readme)."""
    batches = {f"data_batch_{i}": py2_pickle(cifar_batch(i)) for i in range(1, 6)}
    batches["test_batch"] = py2_pickle(cifar_batch(9))
    batches["batches.meta"] = py2_pickle({b"num_cases_per_batch": BATCH, b"num_vis": 3072,
                                          b"label_names": [n.encode() for n in META_NAMES]})
    batches["readme.html"] = b"<html>CIFAR-10</html>"
    batches.update(replace or {})
    folder = tarfile.TarInfo("cifar-10-batches-py")
    folder.type = tarfile.DIRTYPE
    order = ("data_batch_4", "readme.html", "test_batch", "data_batch_3", "batches.meta",
             "data_batch_2", "data_batch_5", "data_batch_1")
    return [(folder, None), *(member(f"cifar-10-batches-py/{n}", batches[n]) for n in order),
            *extra]


def spec_of(path: Path) -> DataFile:
    data = path.read_bytes()
    return DataFile(path.name, len(data), hashlib.md5(data).hexdigest())


def point_table_at(monkeypatch: pytest.MonkeyPatch, name: str, folder: Path) -> None:
    """The dataset ``name`` expects the files in ``folder`` (their sizes and md5s)."""
    spec = DATASETS[name]
    files = tuple(spec_of(folder / f.name) for f in spec.files)
    table = {**DATASETS, name: dataclasses.replace(spec, files=files)}
    monkeypatch.setattr(download, "DATASETS", table)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Folders served on 127.0.0.1: ``fashion``, ``cifar`` (good), ``corrupt`` (a byte
    changed), ``short`` (a byte missing), ``escape`` (a ../ member), ``hostile`` (a batch
    that asks for os.system)."""
    root = tmp_path_factory.mktemp("served")
    rng = np.random.default_rng(3)
    (root / "fashion").mkdir()
    for name, (_, data) in fashion_files(rng).items():
        (root / "fashion" / name).write_bytes(data)
    good = tar_gz(cifar_members())
    evil = b"cos\nsystem\n(S'touch " + str(root / "pwned").encode() + b"'\ntR."
    for folder, data in {
        "cifar": good,
        "corrupt": good[:100] + bytes([good[100] ^ 1]) + good[101:],
        "short": good[:-1],
        "escape": tar_gz(cifar_members(extra=[member("../evil", b"outside")])),
        "hostile": tar_gz(cifar_members({"data_batch_2": evil})),
    }.items():
        (root / folder).mkdir()
        (root / folder / ARCHIVE).write_bytes(data)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ------------------------------------------------------------------------ tables


def test_the_tables_hold_the_published_files() -> None:
    assert tuple(DATASETS) == cli_data.DATASET_NAMES == ("mnist", "fashion-mnist", "cifar10")
    fashion = {f.name: (f.size, f.md5) for f in DATASETS["fashion-mnist"].files}
    assert fashion == {
        "train-images-idx3-ubyte.gz": (26_421_880, "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        "train-labels-idx1-ubyte.gz": (29_515, "25c81989df183df01b3e8a0aad5dffbe"),
        "t10k-images-idx3-ubyte.gz": (4_422_102, "bef4ecab320f06d8554ea6380940ec79"),
        "t10k-labels-idx1-ubyte.gz": (5_148, "bb300cfdad3c16e7a12a480ee83cd310"),
    }
    assert DATASETS["cifar10"].files == (
        DataFile(ARCHIVE, 170_498_071, "c58f30108f718f92721af3b95e74349a"),)
    assert DATASETS["mnist"].files == tuple(mnist_download.STANDARD_FILES.values())
    for spec in DATASETS.values():
        assert spec.mirrors and all(m.startswith(("https://", "http://")) for m in spec.mirrors)
    assert [DATASETS[n].mirrors_env for n in DATASETS] == [
        "GANVIZ_MNIST_MIRRORS", "GANVIZ_FASHION_MNIST_MIRRORS", "GANVIZ_CIFAR10_MIRRORS"]
    assert DATASETS["fashion-mnist"].uses() == "preset fashion-mnist uses it"
    assert DATASETS["cifar10"].uses() == "preset cifar10-dcgan uses it"
    with pytest.raises(ValueError, match="unknown dataset 'svhn'; known: mnist, fashion-mnist"):
        download.dataset("svhn")


def test_each_dataset_has_its_cache_folder(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert download.dataset_dir("mnist") == cache / "mnist"
    assert download.dataset_dir("fashion-mnist") == standard.fashion_mnist_dir() == (
        cache / "fashion-mnist")
    assert download.dataset_dir("cifar10") == standard.cifar10_dir() == cache / "cifar10"


# ----------------------------------------------------------------- Fashion-MNIST


def test_fashion_mnist_downloads_verified_and_loads(served, tmp_path, monkeypatch) -> None:
    root, url = served
    point_table_at(monkeypatch, "fashion-mnist", root / "fashion")
    seen = []
    monkeypatch.setenv("GANVIZ_FASHION_MNIST_MIRRORS", f"http://127.0.0.1:9/, {url}/fashion/")
    folder = download_dataset("fashion-mnist", progress=seen.append, timeout=5)
    assert folder == standard.fashion_mnist_dir()
    assert listing(folder) == sorted(FASHION)
    assert [(p.file, p.bytes_done) for p in seen if p.bytes_done == p.bytes_total] == [
        (name, (root / "fashion" / name).stat().st_size) for name in FASHION]

    expected = fashion_files(np.random.default_rng(3))
    images = load_fashion_mnist()
    assert images.pixels.shape == (20, 28, 28, 1) and images.pixels.dtype == np.uint8
    assert np.array_equal(images.pixels[..., 0], expected[FASHION[0]][0])
    assert images.labels.tolist() == [i % 10 for i in range(20)]
    assert images.classes == standard.FASHION_CLASSES and images.classes[9] == "Ankle boot"
    assert images.source == f"Fashion-MNIST training split (20 images) from {folder}"
    # Without the training split: the test split.
    for name in FASHION[:2]:
        (folder / name).unlink()
    test = load_fashion_mnist(folder)
    assert test.pixels.shape == (10, 28, 28, 1) and test.source.startswith("Fashion-MNIST test")


def test_missing_fashion_mnist_says_how_to_get_it(tmp_path: Path) -> None:
    for where, folder in ((None, tmp_path / "cache" / "fashion-mnist"), (tmp_path, tmp_path)):
        with pytest.raises(DataError) as info:
            load_fashion_mnist(where)
        message = str(info.value)
        assert "\n" not in message and message.startswith(f"{folder}: no Fashion-MNIST files")
        assert message.endswith("get them with `ganviz data download --dataset fashion-mnist`")
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(DataError, match="is a file, expected a folder"):
        load_fashion_mnist(tmp_path / "a-file")


# ---------------------------------------------------------------------- CIFAR-10


def test_cifar10_downloads_and_is_read_into_a_cache(served, monkeypatch) -> None:
    root, url = served
    point_table_at(monkeypatch, "cifar10", root / "cifar")
    folder = download_dataset("cifar10", mirrors=[f"{url}/cifar/"])
    assert listing(folder) == sorted([ARCHIVE, "classes.txt", "train-images.npy",
                                      "train-labels.npy"])
    images = load_cifar10()
    assert images.pixels.shape == (5 * BATCH, 32, 32, 3) and images.pixels.dtype == np.uint8
    assert isinstance(images.pixels, np.memmap)  # mapped from the cache, not read
    assert images.labels.dtype == np.uint8
    assert images.labels.tolist() == [(b + i) % 10 for b in range(1, 6) for i in range(BATCH)]
    assert images.classes == tuple(META_NAMES)  # from batches.meta
    assert images.source == f"CIFAR-10 training set (20 images) from {folder}"
    # Rows are the red plane, then green, then blue: image 5 is batch 2's second.
    data = cifar_batch(2)[b"data"][1]
    assert images.pixels[5, 3, 4].tolist() == [data[3 * 32 + 4], data[1024 + 3 * 32 + 4],
                                               data[2048 + 3 * 32 + 4]]
    # Once there, a second download verifies the archive, and mends a damaged cache.
    pixels = np.array(images.pixels)
    del images  # unmapped: the damage below replaces the file
    (folder / "train-images.npy").unlink()
    (folder / "train-images.npy").write_bytes(b"damaged")
    download_dataset("cifar10", mirrors=["http://127.0.0.1:9/"])
    assert np.array_equal(load_cifar10().pixels, pixels)


def test_cifar10_loads_from_an_archive_or_extracted_folder(served, tmp_path) -> None:
    root, _ = served
    from_archive = read_cifar_archive(root / "cifar" / ARCHIVE)
    assert from_archive.pixels.shape == (20, 32, 32, 3) and from_archive.labels[0] == 1
    assert np.array_equal(load_cifar10(root / "cifar").pixels, from_archive.pixels)
    assert listing(root / "cifar") == [ARCHIVE]  # a folder given is only read
    # torchvision's layout: the extracted batches.
    extracted = tmp_path / "torchvision" / "cifar-10-batches-py"
    extracted.mkdir(parents=True)
    for info, data in cifar_members():
        if data is not None:
            (extracted / Path(info.name).name).write_bytes(data)
    loaded = load_cifar10(extracted.parent)
    assert np.array_equal(loaded.pixels, from_archive.pixels)
    assert loaded.labels.tolist() == from_archive.labels.tolist()
    (extracted / "data_batch_5").unlink()
    with pytest.raises(DataError, match="data_batch_5: not found"):
        load_cifar10(extracted)


def test_missing_cifar10_says_how_to_get_it(tmp_path: Path) -> None:
    for where in (None, tmp_path):
        with pytest.raises(DataError) as info:
            load_cifar10(where)
        message = str(info.value)
        assert "\n" not in message
        assert message.endswith("get them with `ganviz data download --dataset cifar10`")


@pytest.mark.parametrize(("folder", "problem"), [
    ("corrupt", "corrupt: md5 mismatch"),
    ("short", "size mismatch"),
])
def test_a_damaged_download_is_refused_and_nothing_kept(served, tmp_path, monkeypatch,
                                                        folder, problem) -> None:
    root, url = served
    point_table_at(monkeypatch, "cifar10", root / "cifar")
    dest = tmp_path / "dest"
    with pytest.raises(DownloadError) as info:
        download_dataset("cifar10", dest, mirrors=[f"{url}/{folder}/"])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"could not download {ARCHIVE}: {problem}")
    assert listing(dest) == []


@pytest.mark.parametrize(("folder", "problem"), [
    ("escape", "refused: member '../evil' would land outside the folder"),
    ("hostile", "data_batch_2: refused: the pickle asks for os.system; only numpy arrays"),
])
def test_a_hostile_archive_is_refused_and_deleted(served, tmp_path, monkeypatch, folder,
                                                  problem) -> None:
    root, url = served
    # Its md5 is the one expected: the refusal comes from reading it.
    point_table_at(monkeypatch, "cifar10", root / folder)
    dest = tmp_path / "deep" / "dest"
    with pytest.raises(DownloadError) as info:
        download_dataset("cifar10", dest, mirrors=[f"{url}/{folder}/"])
    message = str(info.value)
    assert message.startswith("could not unpack CIFAR-10: ")
    assert problem in message and "\n" not in message
    assert info.value.kind == "corrupt"
    assert listing(dest) == []
    assert not list(tmp_path.rglob("evil")) and not (root / "pwned").exists()


def tar_path(tmp_path: Path, members) -> Path:
    path = tmp_path / ARCHIVE
    path.write_bytes(tar_gz(members))
    return path


@pytest.mark.parametrize(("bad", "problem"), [
    (member("/tmp/evil", b"x"), "member '/tmp/evil' would land outside the folder"),
    (member("cifar-10-batches-py/../../evil", b"x"), "would land outside the folder"),
    (member("C:\\evil", b"x"), "would land outside the folder"),
    (member("cifar-10-batches-py/link", None, tarfile.SYMTYPE), "is a link file"),
    (member("cifar-10-batches-py/hard", None, tarfile.LNKTYPE), "is a link file"),
    (member("dev", None, tarfile.CHRTYPE), "is a device, pipe or other special file"),
    (member("fifo", None, tarfile.FIFOTYPE), "is a device, pipe or other special file"),
    (member("cifar-10-batches-py/data_batch_1", b"again"), "data_batch_1 appears twice"),
])
def test_members_no_cifar_archive_holds_are_refused(tmp_path, bad, problem) -> None:
    path = tar_path(tmp_path, [*cifar_members(), bad])
    with pytest.raises(DataError, match="refused: .*" + problem.replace("\\", "\\\\")
                       .replace("(", "\\(")) as info:
        read_cifar_archive(path)
    assert str(info.value).startswith(f"{ARCHIVE}: refused: ")
    assert listing(tmp_path) == [ARCHIVE]


def test_sizes_are_bounded_before_reading(tmp_path, monkeypatch) -> None:
    path = tar_path(tmp_path, cifar_members())
    monkeypatch.setattr(cifar_archive, "MAX_MEMBER", 5_000)
    with pytest.raises(DataError, match=r"claims 12[0-9]{3} bytes, more than the 5000"):
        read_cifar_archive(path)
    monkeypatch.setattr(cifar_archive, "MAX_MEMBER", 40_000_000)
    monkeypatch.setattr(cifar_archive, "MAX_ARCHIVE", 30_000)
    with pytest.raises(DataError, match="refused: decompresses to more than 30000 bytes"):
        read_cifar_archive(path)
    monkeypatch.setattr(cifar_archive, "MAX_ARCHIVE", 256_000_000)
    monkeypatch.setattr(cifar_archive, "MAX_MEMBERS", 5)
    with pytest.raises(DataError, match="refused: more than 5 members"):
        read_cifar_archive(path)


def _reduce_pickle(module: bytes, name: bytes, args: bytes) -> bytes:
    return b"c" + module + b"\n" + name + b"\n(" + args + b"tR."


@pytest.mark.parametrize(("payload", "problem"), [
    (_reduce_pickle(b"builtins", b"eval", b"S'1+1'\n"), "asks for builtins.eval"),
    (_reduce_pickle(b"numpy", b"load", b"S'x'\n"), "asks for numpy.load"),
    (_reduce_pickle(b"numpy.core.multiarray", b"_reconstruct",
                    b"cnumpy\nndarray\n(I100000000000\ntS'b'\n"), "not the reconstruction"),
    (_reduce_pickle(b"numpy", b"ndarray", b"(I100000000000\nt"), "not a CIFAR-10 batch"),
    (_reduce_pickle(b"numpy", b"dtype", b"S'O'\n"), "refused: numpy dtype object"),
    (b"P1\n.", "not a CIFAR-10 batch"),  # a persistent id
    (b"(lp0\nI1\na.", "a list, not a dict"),
])
def test_the_unpickler_allows_numpy_arrays_only(tmp_path, payload, problem) -> None:
    path = tar_path(tmp_path, cifar_members({"data_batch_3": payload}))
    with pytest.raises(DataError, match=problem) as info:
        read_cifar_archive(path)
    assert str(info.value).startswith("data_batch_3: ")


@pytest.mark.parametrize(("batch", "problem"), [
    ({b"data": np.zeros((BATCH, 3000), np.uint8), b"labels": [0] * BATCH},
     r"data is uint8 \(4, 3000\), expected uint8 \(4, 3072\)"),
    ({b"data": np.zeros((BATCH, 3072), np.float32), b"labels": [0] * BATCH},
     "data is float32"),
    ({b"data": np.zeros((BATCH, 3072), np.uint8), b"labels": [0, 1, 10, 2]},
     r"label 10 out of range 0..9 \(index 2\)"),
    ({b"data": np.zeros((BATCH, 3072), np.uint8), b"labels": [0, 1]},
     "labels: 2, expected a list of 4"),
    ({b"labels": [0] * BATCH}, "no 'data'"),
])
def test_batches_of_the_wrong_shape_are_refused(tmp_path, batch, problem) -> None:
    path = tar_path(tmp_path, cifar_members({"data_batch_4": py2_pickle(batch)}))
    with pytest.raises(DataError, match=problem):
        read_cifar_archive(path)


def test_modern_pickles_and_a_missing_batch(tmp_path) -> None:
    modern = {f"data_batch_{i}": pickle.dumps(cifar_batch(i), protocol=4) for i in (1, 2)}
    path = tar_path(tmp_path, cifar_members(modern))
    assert read_cifar_archive(path).labels.tolist()[:BATCH] == [1, 2, 3, 4]
    members = [m for m in cifar_members() if not m[0].name.endswith("data_batch_5")]
    with pytest.raises(DataError, match="incomplete: data_batch_5 missing"):
        read_cifar_archive(tar_path(tmp_path, members))
    path = tar_path(tmp_path, cifar_members())
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataError, match=r"not a readable tar\.gz archive"):
        read_cifar_archive(path)
    with pytest.raises(DownloadCancelled):
        read_cifar_archive(tar_path(tmp_path, cifar_members()), cancel=lambda: True)


def test_a_damaged_cache_is_rebuilt_or_reported(tmp_path) -> None:
    own = standard.cifar10_dir()
    own.mkdir(parents=True)
    tar_path(own, cifar_members())
    good = np.array(load_cifar10().pixels)  # builds the cache
    (own / "train-images.npy").unlink()  # (a mapped file is never changed in place)
    (own / "train-images.npy").write_bytes(b"\x93NUMPY damaged")
    assert np.array_equal(load_cifar10().pixels, good)  # rebuilt from the archive
    (own / "train-labels.npy").unlink()
    np.save(own / "train-labels.npy", np.zeros(3, np.uint8))
    (own / ARCHIVE).unlink()
    with pytest.raises(DataError, match=r"train-labels.npy: damaged cache: uint8 \(3,\)"):
        load_cifar10()


# ----------------------------------------------------------------- command line


def test_cli_downloads_each_dataset(served, tmp_path, monkeypatch, capsys) -> None:
    root, url = served
    point_table_at(monkeypatch, "fashion-mnist", root / "fashion")
    dest = tmp_path / "f"
    assert cli.main(["data", "download", "--dataset", "fashion-mnist", "--mirror",
                     f"{url}/fashion/", "--dest", str(dest)]) == 0
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == f"Fashion-MNIST ready in {dest}; preset fashion-mnist uses it"
    assert len(load_fashion_mnist(dest)) == 20

    point_table_at(monkeypatch, "cifar10", root / "cifar")
    dest = tmp_path / "c"
    assert cli.main(["data", "download", "--dataset", "cifar10", "--mirror", f"{url}/cifar/",
                     "--dest", str(dest)]) == 0
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == f"CIFAR-10 ready in {dest}; preset cifar10-dcgan uses it"
    assert load_cifar10(dest).pixels.shape == (20, 32, 32, 3)


def test_cli_failures_are_one_line(served, tmp_path, monkeypatch, capsys) -> None:
    root, url = served
    for folder, expected, problem in (
        ("corrupt", "cifar", "corrupt: md5 mismatch"),
        ("hostile", "hostile", "could not unpack CIFAR-10: data_batch_2: refused"),
    ):
        point_table_at(monkeypatch, "cifar10", root / expected)
        status = cli.main(["data", "download", "--dataset", "cifar10", "--mirror",
                           f"{url}/{folder}/", "--dest", str(tmp_path / folder), "--quiet"])
        err = capsys.readouterr().err
        assert status == 1
        assert err.count("\n") == 1 and err.startswith("ganviz data: error: ")
        assert problem in err and "bundled" not in err
    for argv, problem in (
        (["--dataset", "svhn"], "argument --dataset: invalid choice: 'svhn' (choose from "
                                "'mnist', 'fashion-mnist', 'cifar10')"),
        (["--dataset"], "argument --dataset: expected one argument"),
    ):
        assert cli.main(["data", "download", *argv]) == 2
        assert capsys.readouterr().err == f"ganviz data: error: {problem}\n"


# ------------------------------------------------------------------------ window


def test_the_window_dialog_downloads_fashion_mnist(served, monkeypatch, qtbot) -> None:
    from ganviz.app.dialogs.download import DownloadDialog

    root, url = served
    point_table_at(monkeypatch, "fashion-mnist", root / "fashion")
    monkeypatch.setenv("GANVIZ_FASHION_MNIST_MIRRORS", f"{url}/fashion/")
    dialog = DownloadDialog(dataset="fashion-mnist")
    assert dialog.windowTitle() == "Download Fashion-MNIST"
    assert DownloadDialog(dataset="cifar10").windowTitle() == "Download CIFAR-10"
    with qtbot.waitSignal(dialog.finished_with, timeout=10_000) as signal:
        dialog.start()
    assert signal.args == [f"Fashion-MNIST is in {standard.fashion_mnist_dir()}; preset "
                           "fashion-mnist uses it from the next Reset."]
    assert listing(standard.fashion_mnist_dir()) == sorted(FASHION)
