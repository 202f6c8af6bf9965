"""MNIST's IDX files: read, gzip'd or raw, and checked structurally.

Every file is checked as it is read: the IDX header must be one we know, the payload
must be exactly as long as the header says (truncation and trailing garbage are both
refused), a gzip stream must pass its own CRC-32 and length check, and labels must lie
in 0..9. Anything wrong raises :class:`DataError`, one line fit for a status bar.
numpy and the standard library only.

What a file may cost is bounded before it is paid: the header's counts are checked
against :data:`MAX_COUNT` and :data:`MAX_PAYLOAD` before a byte of the payload is read,
a raw file's size is compared with the header before reading, and a gzip stream is
never decompressed further than the header promises plus a bounded look for trailing
garbage. A small gzip "bomb" claiming 200,000 images is refused after 16 bytes.
:func:`read_idx_header` lets a caller compare two files' headers (images against
labels) before reading either.
"""

from __future__ import annotations

import gzip
import os
import stat
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

IMAGES_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned byte, 1 dimension

# The most items an IDX file may claim. MNIST's largest split holds 60,000 digits and
# all of MNIST (train + test) 70,000; a header claiming more is damaged or hostile, and
# is refused before anything is allocated or decompressed for it.
MAX_COUNT = 70_000
# The most payload bytes a file may claim: all of MNIST's 28x28 digits. Bounds what an
# odd image size (which load_pair refuses later, by name) may cost to read.
MAX_PAYLOAD = MAX_COUNT * 28 * 28

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
# How far past the promised payload we look, to report trailing garbage with its size.
# Beyond this the message says "more than": a stream that keeps going is not followed.
_TRAILING_LOOK = _CHUNK


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def readinto(self, buffer: memoryview, /) -> int: ...


class DataError(ValueError):
    """A data file is missing, unreadable or not what it claims to be.

    ``str(error)`` is one line, ``"<file>: <problem>"``, fit for a status bar.
    The two parts are also kept as the attributes ``file`` and ``problem``.
    """

    def __init__(self, file: str, problem: str) -> None:
        # Both parts go to args so that the error pickles (e.g. across processes).
        super().__init__(file, problem)
        self.file = file
        self.problem = problem

    def __str__(self) -> str:
        return " ".join(f"{self.file}: {self.problem}".split())


@dataclass(frozen=True)
class IdxHeader:
    """What an IDX file's header claims: ``kind`` "images" or "labels" and its ``dims``."""

    kind: str
    dims: tuple[int, ...]

    @property
    def count(self) -> int:
        return self.dims[0]

    @property
    def header_len(self) -> int:
        return 4 + 4 * len(self.dims)

    @property
    def payload(self) -> int:
        size = 1
        for d in self.dims:
            size *= d
        return size

    def said(self) -> str:
        """The claim in words, for messages: "10000 images of 28x28 (7840016 bytes)"."""
        total = self.header_len + self.payload
        if self.kind == "images":
            return f"{self.count} images of {self.dims[1]}x{self.dims[2]} ({total} bytes)"
        return f"{self.count} labels ({total} bytes)"


def _read_upto(stream: _Readable, n: int) -> bytes:
    """Up to ``n`` bytes (``n`` small: headers only), fewer only at end of stream."""
    chunks: list[bytes] = []
    remaining = n
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_into(stream: _Readable, out: NDArray[np.uint8]) -> int:
    """Fill ``out`` from the stream in chunks; returns how many bytes arrived.

    Reading straight into the result keeps the peak at one copy of the payload (no
    list of chunks joined, no final copy); ``np.empty`` pages that never get written
    (a truncated file) are never touched.
    """
    view = memoryview(out).cast("B")
    filled = 0
    while filled < len(view):
        n = stream.readinto(view[filled : filled + _CHUNK])
        if not n:
            break
        filled += n
    return filled


def _count_rest(stream: _Readable, limit: int) -> int:
    """How many bytes are left in the stream, counting at most ``limit`` + 1.

    Reaching the end of a gzip stream is also what runs its CRC-32 check. Stopping
    after ``limit`` + 1 bounds the time a stream that expands forever can take.
    """
    total = 0
    while total <= limit and (chunk := stream.read(min(_CHUNK, limit + 1 - total))):
        total += len(chunk)
    return total


def _parse_header(stream: _Readable, name: str, where: str) -> IdxHeader:
    """Read and check the header; the counts are capped here, before any payload."""
    head = _read_upto(stream, 4)
    if len(head) < 4:
        if not head:
            raise DataError(name, "empty file")
        raise DataError(name, f"truncated: only {len(head)} bytes, too short for an IDX header")
    (magic,) = struct.unpack(">I", head)
    if magic == IMAGES_MAGIC:
        ndims, kind = 3, "images"
    elif magic == LABELS_MAGIC:
        ndims, kind = 1, "labels"
    else:
        raise DataError(
            name,
            f"not an MNIST IDX file: magic number 0x{magic:08x}, expected "
            f"0x{IMAGES_MAGIC:08x} (images) or 0x{LABELS_MAGIC:08x} (labels)",
        )

    dims_raw = _read_upto(stream, 4 * ndims)
    if len(dims_raw) < 4 * ndims:
        raise DataError(
            name,
            f"truncated: the {kind} header needs {4 + 4 * ndims} bytes "
            f"but the {where} holds {4 + len(dims_raw)}",
        )
    header = IdxHeader(kind, struct.unpack(f">{ndims}I", dims_raw))
    if any(d == 0 for d in header.dims):
        shape_text = "x".join(str(d) for d in header.dims)
        raise DataError(name, f"implausible header: {kind} dimensions {shape_text}")
    if header.count > MAX_COUNT:
        raise DataError(
            name,
            f"implausible header: says {header.said()}; no MNIST file holds more than "
            f"{MAX_COUNT} {kind}",
        )
    if header.payload > MAX_PAYLOAD:
        raise DataError(
            name,
            f"implausible header: says {header.said()}; more than the {MAX_PAYLOAD} bytes "
            f"of all MNIST's digits",
        )
    return header


def _parse_idx(stream: _Readable, name: str, where: str, size: int | None) -> NDArray[np.uint8]:
    """Parse an (already decompressed) IDX stream; ``where`` says "file" or "decompressed
    data"; ``size`` is the raw file's size where known (then checked before reading)."""
    header = _parse_header(stream, name, where)
    expected_total = header.header_len + header.payload
    if size is not None and size != expected_total:
        # A regular, uncompressed file: its size settles truncation and trailing
        # garbage before the payload is read at all.
        problem = "truncated" if size < expected_total else "trailing garbage"
        raise DataError(
            name, f"{problem}: header says {header.said()} but the {where} holds {size}"
        )

    array = np.empty(header.dims, dtype=np.uint8)
    got = _read_into(stream, array)
    if got < header.payload:
        raise DataError(
            name,
            f"truncated: header says {header.said()} but the {where} holds "
            f"{header.header_len + got}",
        )
    extra = _count_rest(stream, _TRAILING_LOOK)
    if extra > _TRAILING_LOOK:
        raise DataError(
            name,
            f"trailing garbage: header says {header.said()} but the {where} holds more than "
            f"{expected_total + _TRAILING_LOOK}",
        )
    if extra:
        raise DataError(
            name,
            f"trailing garbage: header says {header.said()} but the {where} holds "
            f"{expected_total + extra}",
        )

    if header.kind == "labels" and array.size:
        top = int(array.max())
        if top > 9:
            index = int(np.argmax(array > 9))
            raise DataError(name, f"label {top} out of range 0..9 (first bad one at index {index})")
    return array


@contextmanager
def _opened(path: Path, name: str) -> Iterator[tuple[_Readable, str, int | None]]:
    """The file's content as a stream, with "where" for messages and the raw size.

    Gzip is told apart by content, not by name. Every failure of the file system or
    of the gzip layer becomes a :class:`DataError`, one line naming the file.
    """
    try:
        with path.open("rb") as raw:
            if raw.read(2) == _GZIP_MAGIC:
                raw.seek(0)
                with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                    yield unzipped, "decompressed data", None
                return
            raw.seek(0)
            info = os.fstat(raw.fileno())
            # Only a regular file's size is its content's (not a pipe's or a device's).
            yield raw, "file", info.st_size if stat.S_ISREG(info.st_mode) else None
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(name, f"not found in {path.parent}") from None
    except IsADirectoryError:
        raise DataError(name, f"is a folder, not a file ({path})") from None
    except EOFError:
        # gzip raises EOFError when the compressed stream stops mid-way.
        raise DataError(name, "truncated gzip stream: the compressed file ends early") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(name, f"corrupt gzip stream: {exc}") from None
    except OSError as exc:
        # Permission denied, I/O errors and the like.
        raise DataError(name, f"cannot read: {exc.strerror or exc}") from None
    except MemoryError:
        raise DataError(name, "too large to load into memory") from None


def _name(path: Path) -> str:
    return path.name or str(path)


def read_idx_header(path: str | os.PathLike[str]) -> IdxHeader:
    """Check and return an IDX file's header, reading (decompressing) only its first bytes.

    The same header checks as :func:`read_idx`, caps included, so that a caller can
    compare files (an images file's count against its labels file's) before paying
    for either payload.
    """
    path = Path(path)
    name = _name(path)
    with _opened(path, name) as (stream, where, _size):
        return _parse_header(stream, name, where)


def read_idx(path: str | os.PathLike[str]) -> NDArray[np.uint8]:
    """Read an MNIST IDX file, gzip'd or raw (told apart by content, not by name).

    Returns uint8 ``(N, rows, cols)`` for an images file (magic 0x00000803) and
    uint8 ``(N,)`` for a labels file (magic 0x00000801, values 0..9). Anything
    wrong with the file raises :class:`DataError` and nothing else. At most
    :data:`MAX_COUNT` items and :data:`MAX_PAYLOAD` bytes are read.
    """
    path = Path(path)
    name = _name(path)
    with _opened(path, name) as (stream, where, size):
        return _parse_idx(stream, name, where, size)
