"""Downloading the MNIST files into the user's cache, verified, with progress.

The machinery is any dataset's: :func:`download_files` fetches a list of :class:`DataFile`
(name, size, md5); Fashion-MNIST and CIFAR-10 use it (:mod:`ganviz.core.images.download`).

Standard library only (urllib), so it runs the same in the window (on a worker
thread, with ``progress`` and ``cancel`` wired to the UI) and headless.

Each file is streamed into a temporary ``.<name>.<pid>.partial`` next to its final
place, checked against its known size and md5, and only then renamed into place
(``os.replace``, atomic). On any failure the temporary file is deleted and the
next mirror is tried, so the destination never holds a half or unverified file.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ganviz import __version__
from ganviz.core.atomic import atomic_path, sweep_partials
from ganviz.core.mnist.data import T10K_IMAGES, T10K_LABELS, TRAIN_IMAGES, TRAIN_LABELS, cache_dir
from ganviz.core.mnist.download_errors import (
    DownloadCancelled,
    DownloadError,
    MirrorFailed,
    WriteFailed,
    failure_message,
    reason_of,
)
from ganviz.core.mnist.progress import (
    CancelCallback,
    ProgressCallback,
    ProgressInfo,
    format_progress,
)

__all__ = [
    "DEFAULT_MIRRORS", "MIRRORS_ENV", "STANDARD_FILES", "DataFile", "DownloadCancelled",
    "DownloadError", "MnistFile", "ProgressInfo", "download_files", "download_mnist",
    "format_progress", "mirrors_from_env", "verify", "verify_file",
]


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset (e.g. one of the four standard MNIST files): its name, size
    in bytes and md5."""

    name: str
    size: int
    md5: str


MnistFile = DataFile  # the name it had when MNIST was the only dataset


STANDARD_FILES: Mapping[str, MnistFile] = MappingProxyType(
    {
        f.name: f
        for f in (
            MnistFile(TRAIN_IMAGES, 9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            MnistFile(TRAIN_LABELS, 28_881, "d53e105ee54ea40749a09fcbcd1e9432"),
            MnistFile(T10K_IMAGES, 1_648_877, "9fb629c4189551a2d022fa330f9573f3"),
            MnistFile(T10K_LABELS, 4_542, "ec29112dd5afa0611ce80d1b7f02629c"),
        )
    }
)

# Tried in order. yann.lecun.com is the original home but has often been down or
# refused scripted downloads, so the well-known copies come first.
DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: Environment variable: comma-separated base URLs replacing DEFAULT_MIRRORS.
MIRRORS_ENV = "GANVIZ_MNIST_MIRRORS"

_CHUNK = 64 * 1024
_PROGRESS_INTERVAL = 0.1  # seconds between progress calls (the last one always comes)
_STALE_PART_AGE = 3600.0  # seconds after which a leftover temporary file is swept away


def _md5(path: Path) -> str:
    # usedforsecurity=False: md5 is a checksum here, and FIPS builds refuse it otherwise.
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _standard(name: str) -> MnistFile:
    try:
        return STANDARD_FILES[name]
    except KeyError:
        known = ", ".join(STANDARD_FILES)
        raise ValueError(f"unknown MNIST file {name!r}; known: {known}") from None


def verify_file(path: str | os.PathLike[str], name: str) -> bool:
    """True if ``path`` is the standard MNIST file ``name``: right size and md5."""
    return verify(path, _standard(name))


def verify(path: str | os.PathLike[str], expected: DataFile) -> bool:
    """True if ``path`` is the file ``expected``: right size and md5."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size != expected.size:
            return False
        return _md5(path) == expected.md5
    except OSError:
        return False


def mirrors_from_env(env: str = MIRRORS_ENV,
                     default: tuple[str, ...] = DEFAULT_MIRRORS) -> tuple[str, ...]:
    """The mirrors in ``$env`` (comma-separated; MNIST's ``$GANVIZ_MNIST_MIRRORS``), else
    ``default``."""
    value = os.environ.get(env, "")
    mirrors = tuple(m.strip() for m in value.split(",") if m.strip())
    return mirrors or default


def _url(mirror: str, name: str) -> str:
    return mirror.rstrip("/") + "/" + name


# ----------------------------------------------------------------- the download


def _fetch(
    mirror: str,
    spec: DataFile,
    dest: Path,
    timeout: float,
    progress: ProgressCallback | None,
    cancel: CancelCallback | None,
) -> None:
    """Download ``spec`` from one mirror into ``dest``, verified, or raise.

    Raises MirrorFailed (try the next mirror), WriteFailed, DownloadCancelled.
    The temporary file is gone whichever way this ends.
    """
    url = _url(mirror, spec.name)
    try:
        request = urllib.request.Request(url, headers={"User-Agent": f"ganviz/{__version__}"})
    except ValueError as exc:  # not a URL at all, e.g. a typo in $GANVIZ_MNIST_MIRRORS
        raise MirrorFailed("config", f"{url!r}: {exc}") from exc
    target = dest / spec.name
    try:
        with atomic_path(target) as tmp:
            try:
                out = open(tmp, "wb")  # noqa: SIM115 - closed by the with below
            except OSError as exc:
                raise WriteFailed(f"cannot write into {dest}: {reason_of(exc)}") from exc
            with out:
                response = _open_url(request, url, timeout)
                with response:
                    announced = _announced_size(response, url, spec)
                    done, got = _copy(response, out, tmp, url, mirror, spec, progress, cancel)
            _check(url, spec, done, announced, got)
    except OSError as exc:  # the data were written: syncing or renaming them failed
        raise WriteFailed(f"cannot write {target}: {reason_of(exc)}") from exc


def _open_url(request: urllib.request.Request, url: str, timeout: float):
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise MirrorFailed("http", f"HTTP {exc.code} {exc.reason} from {url}") from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise MirrorFailed("offline", f"{url}: {reason_of(exc)}") from exc


def _announced_size(response, url: str, spec: DataFile) -> int | None:
    """The size the server says it will send (None if it does not say); a wrong one fails."""
    length = (response.headers.get("Content-Length") or "").strip()
    announced = int(length) if length.isdigit() else None
    if announced is not None and announced != spec.size:
        raise MirrorFailed(
            "size", f"size mismatch: {url} offers {announced} bytes, expected {spec.size}"
        )
    return announced


def _copy(response, out, tmp: Path, url: str, mirror: str, spec: DataFile,
          progress: ProgressCallback | None, cancel: CancelCallback | None) -> tuple[int, str]:
    """Copy the response into ``out``, telling ``progress`` and polling ``cancel``; returns
    the bytes copied and their md5."""
    digest = hashlib.md5(usedforsecurity=False)
    done = 0
    start = last_report = time.monotonic()
    while True:
        if cancel is not None and cancel():
            raise DownloadCancelled(f"download of {spec.name} cancelled")
        try:
            # read1: whatever has arrived (up to _CHUNK), so progress and cancel stay
            # responsive on a slow line; read() would wait for a full chunk.
            chunk = response.read1(_CHUNK)
        except (OSError, http.client.HTTPException) as exc:
            raise MirrorFailed(
                "interrupted" if done else "offline",
                f"{url}: connection lost after {done} bytes: {reason_of(exc)}",
            ) from exc
        if not chunk:
            break
        done += len(chunk)
        if done > spec.size:
            raise MirrorFailed("size", f"size mismatch: {url} sent more than {spec.size} bytes")
        try:
            out.write(chunk)
        except OSError as exc:
            raise WriteFailed(f"cannot write {tmp}: {reason_of(exc)}") from exc
        digest.update(chunk)
        now = time.monotonic()
        if progress is not None and now - last_report >= _PROGRESS_INTERVAL:
            last_report = now
            rate = done / max(now - start, 1e-6)
            progress(ProgressInfo(spec.name, done, spec.size, rate, mirror))
    if progress is not None:
        elapsed = max(time.monotonic() - start, 1e-6)
        progress(ProgressInfo(spec.name, done, spec.size, done / elapsed, mirror))
    return done, digest.hexdigest()


def _check(url: str, spec: DataFile, done: int, announced: int | None, got: str) -> None:
    """Fail unless the whole file came, with the right md5."""
    if done < spec.size and announced == spec.size:
        # The server announced the right size, then the connection ended.
        raise MirrorFailed(
            "interrupted", f"{url}: connection closed after {done} of {spec.size} bytes"
        )
    if done != spec.size:
        raise MirrorFailed(
            "size", f"size mismatch: {url} sent {done} bytes, expected {spec.size}"
        )
    if got != spec.md5:
        raise MirrorFailed(
            "corrupt", f"md5 mismatch from {url}: got {got}, expected {spec.md5}"
        )


def download_mnist(
    dest: str | os.PathLike[str] | None = None,
    mirrors: Sequence[str] | None = None,
    files: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    timeout: float = 30,
    cancel: CancelCallback | None = None,
) -> Path:
    """Download the standard MNIST files into ``dest`` (default :func:`cache_dir`).

    ``files`` defaults to all four standard names. A file already in ``dest`` with
    the right size and md5 is not downloaded again. ``mirrors`` are base URLs tried
    in order (default: ``$GANVIZ_MNIST_MIRRORS``, else DEFAULT_MIRRORS).
    ``progress`` gets a ProgressInfo at most about ten times a second and once at
    the end of each file. ``cancel`` is polled between chunks; when it returns
    True the download stops with DownloadCancelled. ``timeout`` (seconds) applies
    to connecting and to each read.

    Raises DownloadError (one clear line) when a file cannot be had from any
    mirror. Files completed before the error stay (they are verified). Returns
    ``dest``.
    """
    dest_path = Path(dest).expanduser() if dest is not None else cache_dir()
    mirror_list = tuple(mirrors) if mirrors is not None else mirrors_from_env()
    if isinstance(files, str):  # one name, not an iterable of one-letter names
        files = [files]
    specs = [_standard(name) for name in (files if files is not None else STANDARD_FILES)]
    return download_files(specs, dest_path, mirror_list, progress, timeout, cancel)


def download_files(
    specs: Iterable[DataFile],
    dest: str | os.PathLike[str],
    mirrors: Sequence[str],
    progress: ProgressCallback | None = None,
    timeout: float = 30,
    cancel: CancelCallback | None = None,
) -> Path:
    """Download each of ``specs`` into ``dest`` from the first of ``mirrors`` (base URLs)
    that serves it whole with the right size and md5; as :func:`download_mnist`, which
    says what ``progress``, ``timeout`` and ``cancel`` do and what is raised."""
    dest_path = Path(dest)
    mirror_list = tuple(mirrors)
    try:
        dest_path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(
            f"cannot create the folder {dest_path}: {reason_of(exc)}", kind="write"
        ) from exc

    for spec in specs:
        target = dest_path / spec.name
        # Old temporary files only: a fresh one may be another ganviz's download. Earlier
        # versions named theirs NAME.part-XXXX.
        sweep_partials(dest_path, spec.name, _STALE_PART_AGE, also=[spec.name + ".part-*"])
        if verify(target, spec):
            if progress is not None:
                progress(ProgressInfo(spec.name, spec.size, spec.size, 0.0, None))
            continue
        if not mirror_list:
            raise DownloadError(
                f"could not download {spec.name}: no mirrors configured", spec.name, "config"
            )
        failures: list[MirrorFailed] = []
        for mirror in mirror_list:
            if cancel is not None and cancel():
                raise DownloadCancelled(f"download of {spec.name} cancelled")
            try:
                _fetch(mirror, spec, dest_path, timeout, progress, cancel)
            except MirrorFailed as exc:
                failures.append(exc)
                continue
            except WriteFailed as exc:
                raise DownloadError(
                    f"could not download {spec.name}: {exc}", spec.name, "write"
                ) from exc
            break
        else:
            message, kind = failure_message(spec.name, failures)
            raise DownloadError(message, spec.name, kind)
    return dest_path
