"""A run's past on the command line: ``ganviz train --snapshot-every N`` keeps snapshots
in the checkpoint, ``ganviz train --resume FILE --from-step S`` goes on from one as a new
branch, and ``ganviz timeline FILE`` lists what a session holds. See core/timeline.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganviz.arguments import Parser, UsageError, positive_int


def add_train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--snapshot-every", type=positive_int("--snapshot-every"),
                        default=None, metavar="N",
                        help="keep the run's whole state at every multiple of N iterations; "
                        "--checkpoint saves them (ganviz timeline FILE lists them), and "
                        "--resume FILE --from-step S goes on from one")
    parser.add_argument("--from-step", type=_iteration, default=None, metavar="S",
                        help="with --resume: go back to the snapshot at iteration S and "
                        "train on from there as a new branch (with the --set changes); "
                        "the checkpoint keeps the earlier continuation as well")


def _iteration(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--from-step: {text!r} is not a whole number; expected an iteration >= 0"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"--from-step: {value} is negative; expected an "
                                         f"iteration >= 0")
    return value


def check(args: argparse.Namespace) -> None:
    if args.from_step is not None and args.saved is None:
        raise UsageError("--from-step: needs --resume FILE (or --example), the session to go "
                         "back in")


def prepare(run, args: argparse.Namespace, changes: dict) -> None:
    """Keep snapshots as asked, and go back to ``--from-step``'s (UsageError if the
    session has none there, naming the nearest kept)."""
    from ganviz.core.snapshots import branch_from
    from ganviz.core.timeline import TimelineError

    trainer = run.trainer
    if args.from_step is not None:
        if trainer.timeline is None:
            raise UsageError(f"--from-step: {args.saved.name} holds no snapshots (train it "
                             f"with --snapshot-every N and --checkpoint)")
        try:
            number = branch_from(trainer, args.from_step, changes)
        except TimelineError as error:
            raise UsageError(f"--from-step: {args.saved.name} has {error}") from None
        print(f"ganviz train: going on from iteration {args.from_step:,} as branch {number}",
              file=sys.stderr)
    if args.snapshot_every is not None and trainer.timeline is None:
        trainer.keep_timeline(args.snapshot_every)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="ganviz timeline",
                    description="List the snapshots and branches a session file holds.")
    parser.add_argument("session", type=Path, metavar="FILE.ganviz")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from ganviz.core import session

    try:  # the whole session is checked, its snapshots with it
        trainer = session.load(args.session)
    except session.SessionError as error:
        raise UsageError(str(error)) from None
    name = args.session.name
    heading = f"{name}: {trainer.preset.name}, {trainer.step_count:,} iterations"
    if trainer.timeline is None:
        print(f"{heading}; no snapshots (train with --snapshot-every N --checkpoint FILE to "
              f"keep them)")
    else:
        print(describe(trainer.timeline, heading))
    return 0


def describe(timeline, heading: str) -> str:
    """The listing of ``ganviz timeline``: one line per branch, then its snapshots."""
    spacing = (f"every {timeline.every:,}" if timeline.fixed
               else f"from every {timeline.every:,}, thinning")
    size = (timeline.memory_bytes() + timeline.disk_bytes()) / 2**20
    lines = [f"{heading}; {len(timeline)} snapshots ({spacing}), {size:.1f} MB",
             f"{'branch':<10} {'from':<18} {'iterations':<16} {'snapshots':>9}  changes"]
    for branch in timeline.branches.values():
        own = timeline.own_steps(branch.number)
        origin = ("-" if branch.parent is None else
                  f"{timeline.branches[branch.parent].name} @ {branch.fork_step:,}")
        changed = ", ".join(f"{k}={v}" for k, v in branch.changes.items()) or "-"
        current = " *" if branch.number == timeline.current else ""
        lines.append(f"{branch.name + current:<10} {origin:<18} "
                     f"{f'{branch.fork_step:,}-{branch.end_step:,}':<16} {len(own):>9}  {changed}")
    for branch in timeline.branches.values():
        own = " ".join(str(step) for step in timeline.own_steps(branch.number))
        lines.append(f"{branch.name}: {own}")
    return "\n".join(lines)
