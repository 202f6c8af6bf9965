"""Writing a file atomically: a temporary file beside it, renamed over it once complete.

The old file stays whole until the rename, and a failed write never leaves half a file
where a good one was: the temporary ``.NAME.PID.partial`` is removed whichever way the
write ends. Before the rename the data are flushed to disk, and after it the folder, so
that a crash cannot leave the new name pointing at an empty file.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any


def partial_path(path: Path, keep_suffix: bool = False) -> Path:
    """The temporary file beside ``path`` that a write goes to (``keep_suffix``: it ends
    in ``path``'s suffix too, for writers that choose a format by the name)."""
    if keep_suffix:
        return path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def _target(path: str | os.PathLike[str]) -> Path:
    """The file a write of ``path`` replaces: a link's target (the link stays a link);
    anything but a regular file is refused with an OSError, because a rename would
    replace a device (/dev/full, as root), a pipe or a folder with a plain file."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        raise OSError(errno.EINVAL, "not a regular file (a folder, device or pipe)",
                      str(path))
    return path


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb",
                 **open_args: Any) -> Iterator[IO]:
    """An open file to write ``path``'s new content to; it replaces ``path`` only when the
    block succeeds. ``open_args`` go to :func:`open` (encoding, newline)."""
    path = _target(path)
    temporary = partial_path(path)
    try:
        with open(temporary, mode, **open_args) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], keep_suffix: bool = False) -> Iterator[Path]:
    """A temporary path beside ``path`` for a writer that takes a file name; what was
    written there replaces ``path`` only when the block succeeds."""
    path = _target(path)
    temporary = partial_path(path, keep_suffix)
    try:
        yield temporary
        descriptor = os.open(temporary, os.O_RDWR)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        _replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _replace(temporary: Path, path: Path) -> None:
    """Rename ``temporary`` over ``path``, then flush the folder's entry to disk (where the
    system can: a folder cannot be opened on Windows, nor synced on some file systems)."""
    os.replace(temporary, path)
    with contextlib.suppress(OSError):
        descriptor = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def sweep_partials(folder: Path, name: str, older_than_s: float,
                   also: Iterable[str] = ()) -> None:
    """Delete the temporary files of writes of ``name`` in ``folder`` that a killed process
    left, and those matching the ``also`` patterns; only those older than ``older_than_s``
    seconds: a fresh one may belong to a write running right now in another process."""
    now = time.time()
    # Our own temporary files are exactly partial_path's ".NAME.PID.partial": the name
    # taken literally (a "[" in it is no glob pattern), the PID digits, so that nothing
    # else beside the target ever matches.
    own = f".{glob.escape(name)}.*.partial"
    for pattern in (own, *also):
        for part in folder.glob(pattern):
            if pattern == own and not part.name[len(name) + 2:-len(".partial")].isdigit():
                continue
            try:
                if now - part.stat().st_mtime > older_than_s:
                    part.unlink()
            except OSError:
                pass
