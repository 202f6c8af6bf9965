"""Checks of a session file before and after it is unpickled: nothing in it may crash later.

A session is read with ``torch.load(weights_only=True)``, which runs no code but builds
whatever tensors and containers the file describes. So, before loading, the archive's
sizes are capped (a small file cannot unpack into a huge one); after, every field is
checked for its type, shape and range before the trainer sees it. Each refusal is an
:class:`Invalid` whose ``str()`` names the field and what is allowed; :mod:`session`
puts the file's name in front.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import torch

# The archive's uncompressed size. The largest session the settings allow is a 1-D or 2-D
# preset with both networks at six hidden layers of 512 units (1.32M numbers each): its
# weights, averaged generator and Adam's two moments per weight are 37 MB; 1,000,000
# custom 2-D points (toy2d.points' limit) add 8 MB, 45 MB in all (measured by
# tests/test_fuzz_session.py, which fails if a session outgrows 3/4 of the cap). MNIST's
# largest (keras-mlp at latent 512 with every code) is 33 MB. 64 MiB leaves a margin of
# 1.5 over the largest, and refuses a bomb (a deflated entry unpacking to 95 MB) before
# torch.load allocates it.
MAX_STATE_BYTES = 64 * 2**20
# A session may also carry its run's timeline (core/session_timeline.py: one archive of
# snapshots, thinned to fit), up to this much.
MAX_TIMELINE_BYTES = 96 * 2**20
MAX_ARCHIVE_BYTES = MAX_STATE_BYTES + MAX_TIMELINE_BYTES
# The file itself: the entries plus zip's headers and torch's 64-byte alignment.
MAX_FILE_BYTES = MAX_ARCHIVE_BYTES + 2**20
# The largest session has 141 entries (7 of torch's own, one per tensor).
MAX_ENTRIES = 1024
# The pickled structure (data.pkl) of the largest session is 14 KB. Unpickling can grow
# a byte into a 64-byte Python object (an empty dict), so this cap bounds that at 16 MB.
MAX_PICKLE_BYTES = 256 * 2**10
# Iteration and update counts: 10^12 iterations at 45,000 a second take 700 years; a
# larger count is damage (and floats hold counts up to 2^53 exactly).
MAX_COUNT = 10**12
ZIP_MAGIC = b"PK\x03\x04"  # torch.save's archives start with a zip entry's header
FLOATS = (torch.float32, torch.float64)


class Invalid(ValueError):
    """A field of a session that ganviz did not write; ``str()`` names it, one line."""


def refuse(field: str, got: str, expected: str) -> Invalid:
    return Invalid(f"{field} is {got}; expected {expected}")


def describe(value) -> str:
    """A short account of ``value`` for a message (never its whole content)."""
    if isinstance(value, torch.Tensor):
        return f"a {str(value.dtype).removeprefix('torch.')} tensor of shape {list(value.shape)}"
    if isinstance(value, (bool, int, float)) or value is None:
        text = repr(value)
        return text if len(text) <= 24 else text[:20] + "..."
    if isinstance(value, str):
        return f"the text {value[:24]!r}" + ("..." if len(value) > 24 else "")
    return f"a {type(value).__name__}"


# --------------------------------------------------------------------------- the archive
def check_archive(path: Path) -> None:
    """Refuse a file that is not a zip archive as torch.save writes one, or one whose
    entries would unpack to more than the caps above; reads only the zip's directory."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise Invalid(f"the file has {size:,} bytes; a ganviz session has at most "
                      f"{MAX_FILE_BYTES:,}: not opened")
    with open(path, "rb") as file:
        check_zip(file)


def check_zip(file, max_bytes: int = MAX_ARCHIVE_BYTES, max_entries: int = MAX_ENTRIES,
              max_pickle: int = MAX_PICKLE_BYTES, what: str = "a ganviz session") -> None:
    """The checks of :func:`check_archive` on an open binary ``file`` (a session's, or
    the timeline archive inside one), against the caps given."""
    # torch.load reads a file that does not start with a zip header by its legacy
    # format, which allocates the sizes the file declares: refused here instead.
    if file.read(4) != ZIP_MAGIC:
        raise Invalid(f"not {what} (not a zip archive as torch.save writes)")
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except Exception as error:  # BadZipFile, and whatever a crafted directory raises
        reason = str(error).splitlines()[0][:80] if str(error) else type(error).__name__
        raise Invalid(f"not {what}, or truncated ({reason})") from None
    if len(entries) > max_entries:
        raise Invalid(f"{len(entries):,} archive entries; {what} has at most "
                      f"{max_entries:,}: not opened")
    for entry in entries:
        # torch.save stores its entries as they are: a compressed one is not torch's, and
        # could unpack to any size (a 164 KB file to 95 MB), so what a session costs to
        # open is at most its size on disk.
        if entry.compress_type != zipfile.ZIP_STORED:
            raise Invalid(f"its entry {entry.filename[-40:]!r} is compressed; {what} stores "
                          f"its entries uncompressed: not opened")
        if entry.filename.rsplit("/", 1)[-1] == "data.pkl" and entry.file_size > max_pickle:
            raise Invalid(f"its structure (data.pkl) unpacks to {entry.file_size:,} bytes; "
                          f"{what}'s is at most {max_pickle:,}: not opened")
    total = sum(entry.file_size for entry in entries)
    if total > max_bytes:
        raise Invalid(f"unpacks to {total / 2**20:,.0f} MiB; {what} unpacks to at most "
                      f"{max_bytes / 2**20:,.0f} MiB: not opened")


# ------------------------------------------------------------------------------ fields
def count(value, field: str, maximum: int = MAX_COUNT, minimum: int = 0) -> int:
    """A whole number in [minimum, maximum] (a bool or a float is refused)."""
    if type(value) is not int or not minimum <= value <= maximum:
        raise refuse(field, describe(value), f"a whole number from {minimum:,} to {maximum:,}")
    return value


def number(value, field: str, low: float, high: float, positive: bool = False) -> float:
    """A finite int or float in [low, high] (above 0 with ``positive``)."""
    expected = f"a finite number from {low:g} to {high:g}" + (", above 0" if positive else "")
    if type(value) not in (int, float) or not math.isfinite(value) or not low <= value <= high \
            or (positive and value <= 0):
        raise refuse(field, describe(value), expected)
    return float(value)


def tensor(value, field: str, dtypes: tuple = FLOATS, shape: tuple | None = None,
           ndim: int | None = None, max_numel: int = MAX_ARCHIVE_BYTES) -> torch.Tensor:
    """A plain dense tensor of one of ``dtypes``, of ``shape`` (or ``ndim`` dimensions and
    at most ``max_numel`` numbers). The shape is checked before anything reads the
    numbers: a tensor can claim a huge shape over one number (stride 0)."""
    names = " or ".join(str(d).removeprefix("torch.") for d in dtypes)
    expected = f"a {names} tensor" + (f" of shape {list(shape)}" if shape is not None else
                                      f" of {ndim} dimension(s)" if ndim is not None else "")
    # A plain dense tensor: not a subclass, sparse, quantized, nested or meta one, whose
    # numbers are not where a plain tensor's are.
    if (type(value) not in (torch.Tensor, torch.nn.Parameter) or value.layout != torch.strided
            or value.is_quantized or value.is_meta or value.is_nested
            or value.dtype not in dtypes):
        raise refuse(field, describe(value), expected)
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise refuse(field, describe(value), expected)
    if ndim is not None and value.dim() != ndim:
        raise refuse(field, describe(value), expected)
    if value.numel() > max_numel:
        raise refuse(field, describe(value), f"at most {max_numel:,} number(s)")
    return value


def finite(value: torch.Tensor) -> bool:
    return not value.is_floating_point() or bool(torch.isfinite(value).all())


def mapping(value, field: str, keys=None) -> dict:
    """A dict; with ``keys``, holding at least those."""
    if not isinstance(value, dict):
        raise refuse(field, describe(value), "a dict")
    if keys is not None:
        missing = [k for k in keys if k not in value]
        if missing:
            raise Invalid(f"{field} lacks {', '.join(map(str, missing))}; a ganviz session "
                          f"has them")
    return value


def plain_settings(value, field: str) -> dict:
    """Settings as saved: text names to plain values (config.validate checks the values;
    this only keeps out what it does not expect: tensors, dicts, long lists)."""
    mapping(value, field)
    for key, item in value.items():
        if type(key) is not str or not key.isidentifier() or len(key) > 64:
            raise refuse(f"{field} name", describe(key), "a setting's name")
        items = item if isinstance(item, (list, tuple)) else (item,)
        if len(items) > 64 or not all(type(i) in (bool, int, float, str) or i is None
                                      for i in items) or \
                any(isinstance(i, str) and len(i) > 200 for i in items):
            raise refuse(f"{field}.{key}", describe(item),
                         "a number, a word, or a list of up to 64 numbers")
    return value
