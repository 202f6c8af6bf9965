"""MNIST's IDX files: read, gzip'd or raw, and checked structurally.

Every file is checked as it is read: the IDX header must be one we know, the payload
must be exactly as long as the header says (truncation and trailing garbage are both
refused), a gzip stream must pass its own CRC-32 and length check, and labels must lie
in 0..9. Anything wrong raises :class:`DataError`, one line fit for a status bar.
numpy and the standard library only.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

IMAGES_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned byte, 1 dimension

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


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


def _read_upto(stream: _Readable, n: int) -> bytes:
    """Up to ``n`` bytes, fewer only at end of stream.

    Reading in chunks keeps memory proportional to the data actually there: a
    damaged header claiming terabytes must not make us allocate terabytes.
    """
    chunks: list[bytes] = []
    remaining = n
    while remaining > 0:
        chunk = stream.read(min(remaining, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _count_rest(stream: _Readable) -> int:
    """Read to the end of the stream, returning how many bytes were left.

    For a gzip stream, reaching the end is also what runs its CRC-32 check.
    """
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
    return total


def _parse_idx(stream: _Readable, name: str, where: str) -> NDArray[np.uint8]:
    """Parse an (already decompressed) IDX stream; ``where`` says "file" or "stream"."""
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
    header_len = 4 + 4 * ndims
    if len(dims_raw) < 4 * ndims:
        raise DataError(
            name,
            f"truncated: the {kind} header needs {header_len} bytes "
            f"but the {where} holds {4 + len(dims_raw)}",
        )
    dims = struct.unpack(f">{ndims}I", dims_raw)
    if any(d == 0 for d in dims):
        shape_text = "x".join(str(d) for d in dims)
        raise DataError(name, f"implausible header: {kind} dimensions {shape_text}")

    count = dims[0]
    payload = 1
    for d in dims:
        payload *= d
    expected_total = header_len + payload
    if kind == "images":
        said = f"{count} images of {dims[1]}x{dims[2]} ({expected_total} bytes)"
    else:
        said = f"{count} labels ({expected_total} bytes)"

    data = _read_upto(stream, payload)
    if len(data) < payload:
        raise DataError(
            name,
            f"truncated: header says {said} but the {where} holds {header_len + len(data)}",
        )
    extra = _count_rest(stream)
    if extra:
        raise DataError(
            name,
            f"trailing garbage: header says {said} but the {where} holds {expected_total + extra}",
        )

    array = np.frombuffer(data, dtype=np.uint8).reshape(dims)
    if kind == "labels" and array.size:
        top = int(array.max())
        if top > 9:
            index = int(np.argmax(array > 9))
            raise DataError(name, f"label {top} out of range 0..9 (first bad one at index {index})")
    # frombuffer over bytes is read-only; hand out an ordinary writable array.
    return array.copy()


def read_idx(path: str | os.PathLike[str]) -> NDArray[np.uint8]:
    """Read an MNIST IDX file, gzip'd or raw (told apart by content, not by name).

    Returns uint8 ``(N, rows, cols)`` for an images file (magic 0x00000803) and
    uint8 ``(N,)`` for a labels file (magic 0x00000801, values 0..9). Anything
    wrong with the file raises :class:`DataError` and nothing else.
    """
    path = Path(path)
    name = path.name or str(path)
    try:
        with path.open("rb") as raw:
            if raw.read(2) == _GZIP_MAGIC:
                raw.seek(0)
                with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                    return _parse_idx(unzipped, name, "decompressed data")
            raw.seek(0)
            return _parse_idx(raw, name, "file")
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
