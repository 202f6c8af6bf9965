"""Why a download failed, in one line: the errors the downloader raises, each mirror's
failure, and the message that sums up every mirror tried (core/mnist/download.py)."""

from __future__ import annotations

import socket
import urllib.error
from collections.abc import Sequence

__all__ = ["DownloadCancelled", "DownloadError", "MirrorFailed", "WriteFailed", "failure_message",
           "reason_of"]


class DownloadError(RuntimeError):
    """A file could not be downloaded. ``str(error)`` is one line.

    ``kind`` says why, for a UI that wants to react: ``"offline"`` (no mirror
    reachable), ``"corrupt"`` (md5 mismatch), ``"size"`` (size mismatch),
    ``"http"`` (a server refused, e.g. 404), ``"interrupted"`` (the connection
    dropped mid-file), ``"write"`` (cannot write into the destination folder) or
    ``"config"`` (no mirrors given, or not URLs). With several mirrors failing in
    different ways, the most telling kind wins (corrupt, size, http, config,
    interrupted, offline, in that order).
    """

    def __init__(self, message: str, file: str = "", kind: str = "") -> None:
        super().__init__(message)
        self.file = file
        self.kind = kind

    @property
    def offline(self) -> bool:
        return self.kind == "offline"


class DownloadCancelled(Exception):
    """The ``cancel`` callable asked to stop. Not a DownloadError: nothing failed."""


class MirrorFailed(Exception):
    """One mirror failed for one file; ``kind`` as in DownloadError."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class WriteFailed(Exception):
    """Writing into the destination failed: no point trying another mirror."""


def reason_of(exc: BaseException) -> str:
    """A short reason for a network error, without urllib's nesting."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        reason = exc.reason
        if isinstance(reason, BaseException):
            return reason_of(reason)
        return str(reason)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


# Failure kinds, most telling first: a mirror that served wrong bytes says more
# than one that could not be reached. Each with its summary and a short word.
_KINDS: dict[str, tuple[str, str]] = {
    "corrupt": ("corrupt: md5 mismatch", "corrupt"),
    "size": ("size mismatch", "wrong size"),
    "http": ("refused by the server", "refused"),
    "config": ("bad mirror URL", "bad URL"),
    "interrupted": ("download interrupted", "interrupted"),
    "offline": ("no mirror reachable (offline?)", "unreachable"),
}


def failure_message(name: str, failures: Sequence[MirrorFailed]) -> tuple[str, str]:
    """The one-line DownloadError message and its kind, from every mirror's failure."""
    kinds = [f.kind for f in failures]
    kind = next(k for k in _KINDS if k in kinds)
    n = len(failures)
    tried = f"tried {n} mirror{'s' if n != 1 else ''}"
    if len(set(kinds)) > 1:
        counts = ", ".join(f"{kinds.count(k)} {_KINDS[k][1]}" for k in _KINDS if k in kinds)
        tried += f" ({counts})"
    message = (
        f"could not download {name}: {_KINDS[kind][0]} — {tried}; last error: {failures[-1].detail}"
    )
    return " ".join(message.split()), kind
