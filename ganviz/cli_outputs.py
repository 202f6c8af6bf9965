"""The files ``ganviz train`` writes: every one checked before training starts.

A training run can take hours; a name it cannot write to must be refused before the first
iteration (exit status 2, one line naming the option), not found out at the end. What can
only fail while writing (a full disk) is :class:`WriteFailed`: exit status 1, one line.
The files themselves are written by :func:`ganviz.core.headless.output_file` (a regular
file is replaced atomically, under exactly the name given). Torch-free.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ganviz.arguments import UsageError
from ganviz.core import presets

# The most --save-samples may hold, counted as the array it writes (float32). The samples
# are all in memory at once, and written in one piece: 1 GiB is 342,392 MNIST digits
# (28 x 28 x 4 bytes each). 1-D and 2-D samples stay under --num-samples' own 10^7.
MAX_SAMPLES_BYTES = 1 << 30


class WriteFailed(Exception):
    """A file could not be written after training began (a full disk): exit status 1."""


def check_outputs(args: argparse.Namespace) -> None:
    """UsageError, naming the option, for an output name that cannot be written.

    --metrics and --save-samples may also name something that is not a regular file
    (/dev/stdout, a pipe): it is written into. --checkpoint must be a file: it is always
    replaced atomically, which a device or pipe cannot be.
    """
    outputs = {"--metrics": args.metrics, "--save-samples": args.save_samples,
               "--checkpoint": args.checkpoint}
    for option, path in outputs.items():
        if path is not None:
            _check_output(option, path, regular_only=option == "--checkpoint")
    # Two outputs, or an output and an input, naming one file: the last write would win
    # (or a checkpoint would overwrite the points it trained on). --checkpoint may name
    # the --resume file: the continued run replaces the saved one, atomically.
    named = {**outputs, "--resume": args.resume, "--points": args.points}
    seen: dict[str, str] = {}
    for option, path in named.items():
        if path is None or (path.exists() and not path.is_file()):
            continue  # /dev/null twice is fine
        key = os.path.realpath(path)
        other = seen.get(key)
        if other is not None and {other, option} != {"--checkpoint", "--resume"}:
            raise UsageError(f"{other} and {option} both name {path}; give each its own file")
        seen.setdefault(key, option)


def output_name(option: str):
    """The argument type of an output file's name: a Path, kept exactly as given. A name
    ending in / is a folder's, which Path would turn into a file name silently."""

    def parse(text: str) -> Path:
        if text.endswith(("/", os.sep)):
            raise argparse.ArgumentTypeError(
                f"{option}: {text} names a folder; give a file name (e.g. "
                f"{Path(text) / _EXAMPLE[option]})")
        return Path(text)

    return parse


def check_output(option: str, path: Path) -> None:
    """One output file's name, checked before any training (UsageError, one line)."""
    _check_output(option, path, regular_only=True)


def _check_output(option: str, path: Path, regular_only: bool) -> None:
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a folder; give a file name (e.g. "
                         f"{path / _EXAMPLE[option]})")
    exists = path.exists()
    if exists and not path.is_file() and regular_only:
        raise UsageError(f"{option}: {path} is not a regular file (a device or a pipe); "
                         f"give a file name")
    if exists and not os.access(path, os.W_OK):
        raise UsageError(f"{option}: {path} is read-only")
    folder = path.parent
    if not folder.is_dir():
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        if not existing.is_dir():  # e.g. notes.txt/m.jsonl
            raise UsageError(f"{option}: {existing} is a file, not a folder")
        raise UsageError(f"{option}: folder {folder} does not exist")
    # A file is written beside its name first, then renamed: the folder must take new files.
    if (not exists or path.is_file()) and not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{option}: cannot create files in folder {folder} (permission "
                         f"denied)")


_EXAMPLE = {"--metrics": "metrics.jsonl", "--save-samples": "samples.npy",
            "--checkpoint": "run.ganviz", "--png": "grid.png"}


def check_num_samples(count: int, preset: presets.Preset) -> None:
    """UsageError if ``count`` samples of ``preset`` would take more than MAX_SAMPLES_BYTES."""
    each = 4 * _product(preset.sample_shape)  # float32
    most = MAX_SAMPLES_BYTES // each
    if count > most:
        raise UsageError(
            f"--num-samples: {count:,} {_MODE_NAMES[preset.mode]} samples would take "
            f"{count * each / 2**30:.1f} GiB ({each:,} bytes each); the most allowed is "
            f"{most:,} ({MAX_SAMPLES_BYTES / 2**30:g} GiB)")


def check_digit(args, preset: presets.Preset) -> None:
    """UsageError for --digit where it means nothing, or a conditional preset's samples
    that cannot be a tenth of each digit."""
    conditional = bool(preset.model.get("conditional"))
    if args.digit is not None and not conditional:
        raise UsageError(f"--digit: {preset.name} is not conditioned on the digit; use "
                         f"--preset mnist-cgan")
    if args.digit is not None and args.save_samples is None:
        raise UsageError("--digit chooses what --save-samples writes: give --save-samples")
    if conditional and args.save_samples is not None and args.digit is None \
            and args.num_samples % 10:
        raise UsageError(f"--num-samples: {args.num_samples:,} is not a multiple of 10; "
                         f"without --digit, {preset.name} writes a tenth of each digit")


_MODE_NAMES = {"1d": "1-D", "2d": "2-D", "mnist": "MNIST"}


def _product(shape: tuple[int, ...]) -> int:
    result = 1
    for size in shape:
        result *= size
    return result
