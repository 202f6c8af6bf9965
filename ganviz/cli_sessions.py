"""Saved runs on the command line: ``--resume FILE`` and ``--example`` (the shipped
converged run of a preset, core/examples.py), for ``ganviz train`` and the window."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganviz.arguments import UsageError
from ganviz.core import config


def add_example_option(parser: argparse.ArgumentParser, window: bool) -> None:
    where = ("open it paused at its last iteration, with its curves and timeline; Reset "
             "trains it afresh" if window else "train on from it, like --resume (--steps 0 "
             "measures it as it is)")
    parser.add_argument("--example", action="store_true",
                        help=f"the preset's converged example, trained by the repository's "
                        f"scripts/build_examples.py: {where}")


def example_path(args: argparse.Namespace) -> Path | None:
    """The example ``--example`` names (the preset's), checked; None without ``--example``.
    ``--seed``, ``--data``, ``--points`` and ``--resume`` cannot be given with it: the
    example is a saved run with its own."""
    if not args.example:
        return None
    _refuse_clashes("--example", {"--resume": getattr(args, "resume", None) is not None,
                                  **_run_options(args)}, "the example")
    from ganviz.core import examples

    return examples.find(args.preset)  # SettingError names the presets that have one


def _run_options(args: argparse.Namespace) -> dict[str, bool]:
    """Which of the options a saved run fixes itself were given."""
    return {"--seed": args.seed is not None, "--data": args.data is not None,
            "--points": args.points is not None}


def _refuse_clashes(option: str, given: dict[str, bool], owner: str) -> None:
    clashing = [name for name, present in given.items() if present]
    if clashing:
        raise UsageError(f"{option}: {', '.join(clashing)} cannot change a saved run; "
                         f"{owner} has its own")


def check_steps(args: argparse.Namespace) -> None:
    """``--steps 0`` measures a saved run as it is: only with ``--resume`` or ``--example``."""
    if args.steps == 0 and args.resume is None and not args.example:
        raise UsageError("--steps: 0 only measures a saved run (with --resume FILE or "
                         "--example); expected 1 to 1000000000")


def resumed_run(args: argparse.Namespace, path: Path, option: str):
    """The run saved in ``path`` (``--resume``'s file or ``--example``'s), with ``--set``
    applied as live changes."""
    from ganviz.core import api, session

    data = None
    if option == "--resume":
        # --data only says where the saved run's images are (a folder of pictures, MNIST
        # files): it changes nothing the run fixed.
        fixed = {n: given for n, given in _run_options(args).items() if n != "--data"}
        _refuse_clashes("--resume", {"--preset": args.explicit_preset, **fixed},
                        "the session file")
        if args.data is not None:
            data = _images_of(args.data)
    try:
        run = api.Run.load(path, data=data)  # its torch threads set before the first step
    except (session.SessionError, config.SettingError) as error:
        raise UsageError(f"{option}: {error}") from None
    changes = dict(args.assignments)
    waiting = [n for n in changes if not config.lookup(n).live]
    if waiting:
        raise UsageError(f"{option}: {', '.join(waiting)} only applies on Reset, which would "
                         f"start the saved run afresh")
    run.change(**changes)
    for notice in run.take_notices():  # e.g. a run saved on another kind of device
        print(f"ganviz train: {notice}", file=sys.stderr)
    return run


def _images_of(folder: Path):
    """For ``--resume --data``: the images in ``folder``, read for the saved run's preset
    once the session has said which it is."""
    from ganviz.core.images.sources import DataError, load_data

    def read(preset):
        if preset.mode != "mnist":
            raise DataError("--data", f"the saved run ({preset.name}) does not train on images")
        return load_data(preset, folder)

    return read


def steps_count(text: str) -> int:
    """The argument type of ``--steps``: a whole number from 0 (see :func:`check_steps`)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--steps: {text!r} is not a whole number; expected "
                                         f"1 to 1000000000") from None
    if not 0 <= value <= 10**9:
        raise argparse.ArgumentTypeError(f"--steps: {value} is out of range; expected 1 to "
                                         f"1000000000")
    return value
