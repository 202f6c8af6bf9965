"""Downloading MNIST, against real HTTP servers on 127.0.0.1 (never the internet).

The training files cannot be had offline, so these tests download the two test
files, whose real sizes and md5s are known, from copies of the bundled ones.
"""

from __future__ import annotations

import hashlib
import http.server
import itertools
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from ganviz.core.mnist import data as mnist
from ganviz.core.mnist import download as mnist_download
from ganviz.core.mnist.download import (
    DEFAULT_MIRRORS,
    STANDARD_FILES,
    DownloadCancelled,
    DownloadError,
    ProgressInfo,
    download_mnist,
    format_progress,
    verify_file,
)

IMAGES = "t10k-images-idx3-ubyte.gz"
LABELS = "t10k-labels-idx1-ubyte.gz"
T10K = [IMAGES, LABELS]


@dataclass
class Server:
    """An HTTP server on 127.0.0.1 serving ``root``; ``url(folder)`` is a mirror URL."""

    root: Path
    port: int
    requests: list[str] = field(default_factory=list)

    def url(self, folder: str) -> str:
        return f"http://127.0.0.1:{self.port}/{folder}/"

    def hits(self, folder: str, name: str) -> int:
        return self.requests.count(f"/{folder}/{name}")


@pytest.fixture(autouse=True)
def _no_proxies_no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy from the environment must not see our 127.0.0.1 traffic, and a
    # mirror list from the environment must not change what the tests use.
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        mnist_download.MIRRORS_ENV,
    ):
        monkeypatch.delenv(name, raising=False)


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[int]:
    """Run an HTTP server on 127.0.0.1 in a thread; yields its port."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def _running_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("served")
    bundled = mnist.bundled_dir() / "mnist"
    for folder in ("good", "bad", "short", "empty"):
        (root / folder).mkdir(parents=True)
    for name in T10K:
        data = (bundled / name).read_bytes()
        (root / "good" / name).write_bytes(data)
        bad = bytearray(data)
        bad[len(bad) // 2] ^= 0x01
        (root / "bad" / name).write_bytes(bytes(bad))
        (root / "short" / name).write_bytes(data[:-1])

    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(partial(Handler, directory=str(root))) as port:
        yield Server(root, port, requests)


@pytest.fixture
def server(_running_server: Server) -> Server:
    """Folders: ``good`` (exact copies), ``bad`` (one byte changed, same size),
    ``short`` (one byte missing), ``empty`` (nothing: 404). Requests counted per test."""
    _running_server.requests.clear()
    return _running_server


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def message_of(error: pytest.ExceptionInfo[DownloadError]) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------- success


def test_download_lands_verified(server: Server, dest: Path) -> None:
    result = download_mnist(dest, mirrors=[server.url("good")], files=T10K)
    assert result == dest
    assert listing(dest) == sorted(T10K)  # no .part leftovers
    for name in T10K:
        assert (dest / name).stat().st_size == STANDARD_FILES[name].size
        assert md5(dest / name) == STANDARD_FILES[name].md5
        assert verify_file(dest / name, name)
    # What landed loads.
    data = mnist.load_dir(dest)
    assert data.images.shape == (10_000, 28, 28)


def test_default_dest_is_the_cache(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GANVIZ_CACHE_DIR", str(tmp_path / "gv"))
    result = download_mnist(mirrors=[server.url("good")], files=[LABELS])
    assert result == tmp_path / "gv" / "mnist" == mnist.cache_dir()
    assert listing(result) == [LABELS]


def test_mirrors_from_the_environment(
    server: Server, dest: Path, monkeypatch: pytest.MonkeyPatch, dead_url: str
) -> None:
    monkeypatch.setenv(mnist_download.MIRRORS_ENV, f" {dead_url} , {server.url('good')},")
    assert mnist_download.mirrors_from_env() == (dead_url, server.url("good"))
    download_mnist(dest, files=[LABELS])
    assert verify_file(dest / LABELS, LABELS)
    assert server.hits("good", LABELS) == 1

    monkeypatch.setenv(mnist_download.MIRRORS_ENV, " , ")
    assert mnist_download.mirrors_from_env() == DEFAULT_MIRRORS


def test_mirror_without_trailing_slash(server: Server, dest: Path) -> None:
    download_mnist(dest, mirrors=[server.url("good").rstrip("/")], files=[LABELS])
    assert verify_file(dest / LABELS, LABELS)


def test_present_and_valid_file_is_not_downloaded_again(server: Server, dest: Path) -> None:
    download_mnist(dest, mirrors=[server.url("good")], files=T10K)
    assert server.hits("good", IMAGES) == 1
    seen: list[ProgressInfo] = []
    download_mnist(dest, mirrors=[server.url("good")], files=T10K, progress=seen.append)
    assert server.hits("good", IMAGES) == 1
    assert server.hits("good", LABELS) == 1
    # Still reported, as already there.
    assert [(p.file, p.bytes_done, p.mirror) for p in seen] == [
        (IMAGES, STANDARD_FILES[IMAGES].size, None),
        (LABELS, STANDARD_FILES[LABELS].size, None),
    ]


def test_damaged_present_file_is_replaced(server: Server, dest: Path) -> None:
    dest.mkdir()
    (dest / LABELS).write_bytes(b"not the labels")
    download_mnist(dest, mirrors=[server.url("good")], files=[LABELS])
    assert server.hits("good", LABELS) == 1
    assert verify_file(dest / LABELS, LABELS)


# ------------------------------------------------------------------ refusals


def test_corrupt_mirror_is_rejected_and_nothing_left(server: Server, dest: Path) -> None:
    with pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=[server.url("bad")], files=[IMAGES])
    message = message_of(info)
    assert message.startswith(f"could not download {IMAGES}: corrupt: md5 mismatch")
    assert STANDARD_FILES[IMAGES].md5 in message
    assert "tried 1 mirror;" in message
    assert info.value.kind == "corrupt"
    assert info.value.file == IMAGES
    assert listing(dest) == []


def test_corrupt_mirror_then_good_mirror(server: Server, dest: Path) -> None:
    download_mnist(dest, mirrors=[server.url("bad"), server.url("good")], files=T10K)
    assert server.hits("bad", IMAGES) == 1 and server.hits("good", IMAGES) == 1
    assert listing(dest) == sorted(T10K)
    assert all(md5(dest / n) == STANDARD_FILES[n].md5 for n in T10K)


def test_wrong_size_is_rejected(server: Server, dest: Path) -> None:
    with pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=[server.url("short")], files=[LABELS])
    message = message_of(info)
    assert "size mismatch" in message
    assert "4541" in message and "4542" in message
    assert info.value.kind == "size"
    assert listing(dest) == []


def test_404(server: Server, dest: Path) -> None:
    with pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=[server.url("empty")], files=[LABELS])
    message = message_of(info)
    assert "HTTP 404" in message
    assert info.value.kind == "http"
    assert listing(dest) == []


def test_unreachable_mirror(dead_url: str, dest: Path) -> None:
    with pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=[dead_url, dead_url], files=[LABELS], timeout=5)
    message = message_of(info)
    assert message.startswith(f"could not download {LABELS}: no mirror reachable (offline?)")
    assert "tried 2 mirrors;" in message
    assert "refused" in message
    assert info.value.offline
    assert listing(dest) == []


def test_silent_server_times_out(dest: Path) -> None:
    # Listens (so connecting works) but never answers.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
        with pytest.raises(DownloadError) as info:
            download_mnist(dest, mirrors=[url], files=[LABELS], timeout=0.3)
    message = message_of(info)
    assert "offline" in message and "timed out" in message
    assert listing(dest) == []


def test_mixed_failures_name_the_most_telling(server: Server, dest: Path, dead_url: str) -> None:
    mirrors = [dead_url, server.url("bad"), server.url("empty")]
    with pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=mirrors, files=[LABELS])
    message = message_of(info)
    assert ": corrupt: md5 mismatch — tried 3 mirrors (1 corrupt, 1 refused, 1 unreachable);" in (
        message
    )
    assert "last error: HTTP 404" in message


def test_no_mirrors(dest: Path) -> None:
    with pytest.raises(DownloadError, match="no mirrors configured"):
        download_mnist(dest, mirrors=[], files=[LABELS])


def test_unknown_file_name(dest: Path) -> None:
    with pytest.raises(ValueError, match="unknown MNIST file"):
        download_mnist(dest, mirrors=["http://127.0.0.1:9/"], files=["cifar.tar.gz"])


# ------------------------------------------------------- progress and cancel


def test_progress_increases_to_the_size(
    server: Server, dest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Locally the download takes milliseconds: report every chunk to see the climb.
    monkeypatch.setattr(mnist_download, "_PROGRESS_INTERVAL", 0.0)
    seen: list[ProgressInfo] = []
    download_mnist(dest, mirrors=[server.url("good")], files=[IMAGES], progress=seen.append)
    size = STANDARD_FILES[IMAGES].size
    done = [p.bytes_done for p in seen]
    assert len(done) > 10
    assert all(a < b for a, b in itertools.pairwise(done[:-1]))
    assert done[-1] == size and done[-2] == size  # the last chunk, then the final report
    assert all(p.bytes_total == size and p.file == IMAGES for p in seen)
    assert all(p.mirror == server.url("good") and p.rate_bytes_per_s > 0 for p in seen)


def test_progress_is_throttled(server: Server, dest: Path) -> None:
    calls: list[tuple[float, ProgressInfo]] = []
    start = time.monotonic()
    download_mnist(
        dest,
        mirrors=[server.url("good")],
        files=T10K,
        progress=lambda info: calls.append((time.monotonic(), info)),
    )
    elapsed = time.monotonic() - start
    assert [info.file for _, info in calls][-1] == LABELS
    for name in T10K:
        mine = [(t, info) for t, info in calls if info.file == name]
        # Each file ends with a report of all its bytes ...
        assert mine[-1][1].bytes_done == STANDARD_FILES[name].size
        # ... and before that, reports come at least 0.1 s apart: about ten a second
        # at most, however many 64 kB chunks there are (26 for the images).
        times = [t for t, _ in mine[:-1]]
        assert all(b - a >= 0.099 for a, b in itertools.pairwise(times))
        assert len(times) <= elapsed / 0.1 + 1


def test_cancel_aborts_and_leaves_nothing(server: Server, dest: Path) -> None:
    polls = 0

    def cancel() -> bool:
        nonlocal polls
        polls += 1
        return polls > 5  # a few chunks in

    with pytest.raises(DownloadCancelled):
        download_mnist(dest, mirrors=[server.url("good")], files=T10K, cancel=cancel)
    assert polls == 6
    assert server.hits("good", IMAGES) == 1
    assert server.hits("good", LABELS) == 0
    assert listing(dest) == []


def test_cancel_is_not_a_download_error() -> None:
    assert not issubclass(DownloadCancelled, DownloadError)


def test_stale_part_files_are_swept(server: Server, dest: Path) -> None:
    dest.mkdir()
    old = dest / f"{LABELS}.part-abc123"
    fresh = dest / f"{LABELS}.part-def456"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")
    long_ago = time.time() - 2 * 3600
    os.utime(old, (long_ago, long_ago))
    download_mnist(dest, mirrors=[server.url("good")], files=[LABELS])
    # The old one is from a killed run; the fresh one may be another ganviz's.
    assert listing(dest) == sorted([LABELS, fresh.name])


# ----------------------------------------------------------- small helpers


def test_standard_files_table() -> None:
    assert {n: (f.size, f.md5) for n, f in STANDARD_FILES.items()} == {
        "train-images-idx3-ubyte.gz": (9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        "train-labels-idx1-ubyte.gz": (28_881, "d53e105ee54ea40749a09fcbcd1e9432"),
        "t10k-images-idx3-ubyte.gz": (1_648_877, "9fb629c4189551a2d022fa330f9573f3"),
        "t10k-labels-idx1-ubyte.gz": (4_542, "ec29112dd5afa0611ce80d1b7f02629c"),
    }
    assert all(m.startswith(("https://", "http://")) for m in DEFAULT_MIRRORS)


def test_verify_file(tmp_path: Path) -> None:
    bundled = mnist.bundled_dir() / "mnist"
    assert verify_file(bundled / IMAGES, IMAGES)
    assert verify_file(bundled / LABELS, LABELS)
    assert not verify_file(bundled / LABELS, IMAGES)  # wrong size
    assert not verify_file(tmp_path / "missing", LABELS)
    copy = shutil.copy(bundled / LABELS, tmp_path / LABELS)
    data = bytearray(Path(copy).read_bytes())
    data[100] ^= 0x01
    Path(copy).write_bytes(bytes(data))
    assert not verify_file(copy, LABELS)  # right size, wrong md5
    with pytest.raises(ValueError):
        verify_file(copy, "nope.gz")


def test_format_progress() -> None:
    assert (
        format_progress(
            ProgressInfo(
                "train-images-idx3-ubyte.gz", 4_200_000, 9_912_422, 1_300_000.0, "https://x/"
            )
        )
        == "train-images-idx3-ubyte.gz  4.2/9.9 MB  1.3 MB/s"
    )
    assert (
        format_progress(ProgressInfo(LABELS, 2_000, 4_542, 850.0, "https://x/"))
        == "t10k-labels-idx1-ubyte.gz  2.0/4.5 kB  0.8 kB/s"
    )
    assert (
        format_progress(ProgressInfo(LABELS, 4_542, 4_542, 0.0, None))
        == "t10k-labels-idx1-ubyte.gz  4.5/4.5 kB  already downloaded"
    )
    assert ProgressInfo(LABELS, 1_000, 4_000, 1.0, None).fraction == 0.25


def test_bad_mirror_url(server: Server, dest: Path) -> None:
    with pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=["not a url"], files=[LABELS])
    assert "bad mirror URL" in message_of(info)
    assert info.value.kind == "config"
    # A bad entry is skipped like any failing mirror.
    download_mnist(dest, mirrors=["not a url", server.url("good")], files=[LABELS])
    assert verify_file(dest / LABELS, LABELS)


def test_progress_from_a_slow_server(dest: Path) -> None:
    """Real throttled reports, about ten a second, from a server that trickles."""
    data = (mnist.bundled_dir() / "mnist" / LABELS).read_bytes()

    class Slow(_Quiet):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(0, len(data), 200):  # 23 pieces, 0.6 s in all
                self.wfile.write(data[i : i + 200])
                self.wfile.flush()
                time.sleep(0.025)

    seen: list[ProgressInfo] = []
    with serving(Slow) as port:
        url = f"http://127.0.0.1:{port}/"
        download_mnist(dest, mirrors=[url], files=[LABELS], progress=seen.append)
    done = [p.bytes_done for p in seen]
    assert 3 <= len(done) <= 9  # ~5 throttled reports plus the final one
    assert all(a < b for a, b in itertools.pairwise(done))
    assert done[-1] == len(data) == STANDARD_FILES[LABELS].size
    assert all(0 < p.rate_bytes_per_s < 1e6 for p in seen)
    assert verify_file(dest / LABELS, LABELS)


def test_dropped_connection(dest: Path) -> None:
    """The server announces the right size, sends a part, then hangs up."""
    data = (mnist.bundled_dir() / "mnist" / LABELS).read_bytes()

    class Dropping(_Quiet):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:1000])
            self.close_connection = True

    with serving(Dropping) as port, pytest.raises(DownloadError) as info:
        download_mnist(dest, mirrors=[f"http://127.0.0.1:{port}/"], files=[LABELS], timeout=5)
    message = message_of(info)
    assert "download interrupted" in message
    assert "after 1000 of 4542 bytes" in message
    assert info.value.kind == "interrupted"
    assert listing(dest) == []
