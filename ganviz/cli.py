"""The ``ganviz`` command: the window, ``ganviz train`` (headless) and ``ganviz presets``.

Bad input never shows a traceback: it exits with status 2 and one line that names the
setting and what is allowed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganviz import __version__, cli_sessions, cli_sweep, cli_timeline
from ganviz import cli_outputs as outputs
from ganviz.arguments import Parser as _Parser
from ganviz.arguments import UsageError
from ganviz.arguments import assignment as _assignment
from ganviz.arguments import overrides as _overrides
from ganviz.arguments import positive_int as _positive_int
from ganviz.arguments import positive_seconds as _positive_seconds
from ganviz.arguments import preset_name as _preset_name
from ganviz.cli_data import _data_command, build_data_parser  # noqa: F401
from ganviz.core import config, presets
from ganviz.core.images.sources import needs_folder

USAGE_ERROR = 2
# `ganviz train`: a file could not be written once training had begun (a full disk); the
# names themselves are checked before it begins (USAGE_ERROR).
WRITE_FAILED = 1
# `ganviz train`: a loss became NaN/Inf. Training stopped at once, as the window pauses: a
# diverged run only computes NaNs from there, and its last finite state is what is worth
# keeping (--checkpoint saves it).
DIVERGED = 3
# `ganviz` (the window): no display here, or Qt's X11 plugin lacks a system library.
NO_DISPLAY = 4


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", type=_preset_name, default=None,
                        help=f"starting point (default {presets.DEFAULT_PRESET}; the window: "
                        "the preset and settings of its last use); see `ganviz presets`")
    parser.add_argument("--seed", type=str, default=None, help="random seed (same as --set seed=N)")
    parser.add_argument("--set", dest="assignments", metavar="NAME=VALUE", type=_assignment,
                        action="append", default=[], help="change a setting (repeatable)")
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="image presets: MNIST's IDX files (gzip'd or not) instead of "
                        "the downloaded or bundled digits; s5-*: a folder of PNG/JPEG pictures")
    parser.add_argument("--points", type=Path, default=None, metavar="FILE",
                        help="2-D presets: train on these points (.csv with two columns or "
                        ".npy of shape (N, 2)); sets dataset=custom")


def _data(args: argparse.Namespace):
    """The MNIST data named by --data or the 2-D points of --points, read now so that a bad
    folder or file is one clear line."""
    if args.points is not None:
        if args.data is not None:
            raise UsageError("--points and --data: give one of them")
        if presets.get(args.preset).mode != "2d":
            raise UsageError(f"--points: preset {args.preset} is not a 2-D preset; use one of "
                             + ", ".join(n for n, p in presets.PRESETS.items() if p.mode == "2d"))
        from ganviz.core.toy2d.points import PointsError, load_points  # no torch: the window's path

        try:
            points = load_points(args.points)
        except PointsError as error:
            raise UsageError(f"--points: {error}") from None
        return points, f"{len(points):,} points from {args.points.name}"
    preset = presets.get(args.preset)
    if args.data is not None and preset.mode != "mnist":
        raise UsageError(f"--data: preset {args.preset} does not train on images")
    if preset.mode != "mnist":
        return None
    from ganviz.core.images.sources import DataError, load_data

    try:
        return load_data(preset, args.data, progress=_preparing)
    except DataError as error:
        raise UsageError(f"--data: {error}" if args.data is not None else str(error)) from None


def _preparing(done: int, total: int) -> None:
    """A folder of pictures being prepared (once: then it is cached): a line on stderr."""
    print(f"\rpreparing pictures: {done:,}/{total:,}", end="\n" if done == total else "",
          file=sys.stderr, flush=True)


COMMANDS = """commands:
  ganviz [options]       open the window (the default; options above)
  ganviz train ...       train without a window; write metrics, samples, a checkpoint
                         (ganviz train --help)
  ganviz presets         list the presets and what each one shows
  ganviz data download   fetch MNIST's 60,000-digit training split, or with
                         --dataset fashion-mnist or cifar10 those sets
                         (ganviz data download --help)
  ganviz timeline FILE   list the snapshots and branches a session holds
  ganviz sweep ...       train variants of a preset together and compare them
  ganviz bench ...       measure training speed with and without the window
                         (ganviz bench --help)"""


def version_text() -> str:
    """ganviz's version, then torch's and the devices it can train on, then Python's and
    the window's libraries (read from their metadata: importing Qt takes a second)."""
    from importlib import metadata

    lines = [f"ganviz {__version__}"]
    try:
        import torch
    except Exception as error:  # a broken install is what --version is asked to show
        lines.append(f"torch: cannot be imported ({error})")
    else:
        devices = ["cpu"]
        if torch.cuda.is_available():
            devices.append(f"cuda ({torch.cuda.get_device_name(0)})")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            devices.append("mps (Apple GPU)")
        lines.append(f"torch {torch.__version__}; can train on: {', '.join(devices)}")
    libraries = [f"Python {sys.version.split()[0]}"]
    for name in ("PySide6-Essentials", "pyqtgraph"):
        try:
            libraries.append(f"{name.split('-')[0]} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            libraries.append(f"{name.split('-')[0]} not installed")
    return "\n".join([*lines, ", ".join(libraries)])


class _Version(argparse.Action):
    """--version, computed only when asked for: it imports torch (seconds)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ganviz",
        usage="%(prog)s [options]\n       %(prog)s {train,presets,data download,bench} ...",
        description="Watch a GAN learn. With no command, opens the window.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=COMMANDS,
    )
    parser.add_argument("--version", action=_Version,
                        help="show the versions of ganviz, torch (and the devices it can "
                        "train on), Python, PySide6 and pyqtgraph, then exit")
    _add_common(parser)
    parser.add_argument("--start", action="store_true", help="start training at once")
    parser.add_argument("--compare", action="append", default=[], metavar="NAME=V1,V2,...",
                        help="open in compare mode: variants of the preset side by side, "
                        "trained together (once or twice: every combination; 2-64 "
                        "variants, 16 or fewer draw best)")
    cli_sessions.add_example_option(parser, window=True)
    return parser


def build_train_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ganviz train",
        description="Train headless, as the window would, and write metrics and samples.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="settings (--set NAME=VALUE; `live` ones can also change mid-run in the window):\n"
        + config.describe_settings()
        + f"\n\nexit status: 0 trained; {USAGE_ERROR} bad input, found before training "
        f"(one line says why);\n{WRITE_FAILED} a file could not be written (a full disk; "
        f"one line names it); {DIVERGED} diverged: a\nloss became NaN/Inf, training stopped "
        "there and one line names the iteration;\n--checkpoint then holds the last finite "
        "state kept (every 500 iterations) and no\nsamples are written",
    )
    _add_common(parser)
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=cli_sessions.steps_count, default=None,
                        help="iterations to train (default 5000)")
    length.add_argument("--seconds", type=_positive_seconds, default=None,
                        help="train for this many seconds of wall time instead")
    parser.add_argument("--log-every", type=_positive_int("--log-every"), default=50,
                        help="iterations between metric lines (default 50)")
    parser.add_argument("--metrics", type=outputs.output_name("--metrics"), default=None,
                        metavar="FILE.jsonl",
                        help="write one JSON object per line: step, time, loss_d, loss_g, "
                        "d_real, d_fake; 1-D: js_bits, gen_mean, gen_std, d_max_dev, d_star_gap, "
                        "value, verdict; 2-D: kl_bits, js_bits, gen_mean, and for mixtures "
                        "mode_shares, modes_covered, high_quality; MNIST: confident, "
                        "coverage; each line as it is made (an old FILE is replaced at the first)")
    parser.add_argument("--save-samples", type=outputs.output_name("--save-samples"),
                        default=None, metavar="FILE.npy",
                        help="write generator samples at the end as .npy, to FILE exactly "
                        "(float32; 1-D: (N,) and 2-D: (N, 2) in data units; MNIST: "
                        "(N, 28, 28) in [0, 1])")
    parser.add_argument("--digit", type=int, default=None, choices=range(10), metavar="D",
                        help="a conditional preset (mnist-cgan): --save-samples writes digit "
                        "D only (without it, a tenth of each digit 0-9 in order)")
    parser.add_argument("--num-samples", type=_positive_int("--num-samples", 10**7), default=10_000,
                        help="how many samples --save-samples writes (default 10000; at most "
                        f"{outputs.MAX_SAMPLES_BYTES / 2**30:g} GiB of them: 342,392 MNIST "
                        "digits)")
    parser.add_argument("--checkpoint", type=outputs.output_name("--checkpoint"), default=None,
                        metavar="FILE",
                        help="save the whole run (weights, optimisers, random state, curves) "
                        "to FILE at the end, for --resume or the window's File > Open")
    parser.add_argument("--resume", type=Path, default=None, metavar="FILE",
                        help="continue the run saved in FILE for --steps more iterations "
                        "(its preset and settings; --set may change live settings)")
    cli_sessions.add_example_option(parser, window=False)
    cli_timeline.add_train_options(parser)
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar; the one-line summary goes to stdout, so stderr "
                        "stays empty unless something goes wrong")
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    args = parser.parse_args(argv)
    args.explicit_preset = args.preset is not None
    args.preset = args.preset or presets.DEFAULT_PRESET
    return args


def _train(argv: list[str]) -> int:
    args = _parse(build_train_parser(), argv)
    example = cli_sessions.example_path(args)
    saved = args.resume if example is None else example
    option = "--resume" if example is None else "--example"
    args.saved = saved  # the session --from-step goes back in
    cli_sessions.check_steps(args)
    # A saved run's --set values are checked against its own preset, in resumed_run.
    overrides = _overrides(args) if saved is None else {}
    # Every output name is checked before torch loads, let alone training starts.
    outputs.check_outputs(args)
    cli_timeline.check(args)
    if saved is None:
        outputs.check_num_samples(args.num_samples, presets.get(args.preset))
        outputs.check_digit(args, presets.get(args.preset))

    from ganviz.core import api, headless, session

    def save_checkpoint() -> None:
        if args.checkpoint is not None:
            try:
                run.save(args.checkpoint)
            except session.SessionError as error:  # its name was checked: a write failed
                raise outputs.WriteFailed(f"--checkpoint: {error}") from None

    if saved is not None:
        run = cli_sessions.resumed_run(args, saved, option)
        outputs.check_num_samples(args.num_samples, presets.get(run.preset))
        outputs.check_digit(args, presets.get(run.preset))
    else:
        data = _data(args)
        points = data if args.points is not None else None
        run = api.Run(args.preset, data=None if points is not None else data, points=points,
                      **overrides)
    cli_timeline.prepare(run, args, dict(args.assignments) if saved is not None else {})
    steps = args.steps if args.steps is not None or args.seconds is not None else 5000
    try:
        summary = run.train(steps=steps, seconds=args.seconds, log_every=args.log_every,
                            metrics_path=args.metrics, progress=not args.quiet,
                            keep_metrics=args.metrics is not None)
    except headless.OutputError as error:  # the file could not be opened, or a line written
        stopped = (f"; training stopped at iteration {error.step:,}"
                   if error.step is not None else "")
        raise outputs.WriteFailed(f"--metrics {error}{stopped}") from None
    except api.Diverged as diverged:
        save_checkpoint()
        kept = (f"--checkpoint {args.checkpoint.name} holds iteration {diverged.kept_step:,}"
                if args.checkpoint is not None else
                f"the last finite state kept was iteration {diverged.kept_step:,}")
        print(f"ganviz train: diverged: {diverged.what}; {kept}", file=sys.stderr)
        return DIVERGED
    if args.save_samples is not None:
        try:
            headless.save_samples(run.trainer, args.save_samples, args.num_samples,
                                  args.digit)
        except headless.OutputError as error:
            raise outputs.WriteFailed(f"--save-samples {error}") from None
    save_checkpoint()
    trainer, threads = run.trainer, run.threads
    # --quiet keeps stderr for trouble: the summary, the run's result, goes to stdout.
    print(
        f"{run.preset}: {summary.steps} iterations in {summary.seconds:.1f} s "
        f"({summary.iterations_per_second:.0f} it/s on {trainer.device.type.upper()}, "
        f"{threads} torch thread"
        f"{'s' if threads > 1 else ''}); {run.summary(summary.last_metrics)}",
        file=sys.stdout if args.quiet else sys.stderr,
    )
    return 0


def _presets() -> int:
    for preset in presets.PRESETS.values():
        print(f"{preset.name}  ({preset.mode})\n    {preset.description}")
    return 0


def _bench(argv: list[str]) -> int:
    from ganviz import bench

    return bench.main(argv)


def launch_trainer(args, overrides: dict, custom=None):
    """Start the window's training process now, before Qt is imported: its torch import
    (~2 s) then overlaps with Qt's and the window's start instead of following them."""
    from ganviz.core import remote

    settings = {**presets.get(args.preset).settings(), **overrides}
    data_dir = None if args.data is None else str(args.data)
    return remote.TrainerProcess(args.preset, settings, data_dir=data_dir, custom=custom)


def _window(argv: list[str]) -> int:
    args = _parse(build_parser(), argv)
    overrides = _overrides(args)
    example = cli_sessions.example_path(args)
    if example is not None and args.assignments:
        raise UsageError("--example: --set cannot change the example as it opens; change "
                         "settings in the window")
    if not (args.explicit_preset or args.assignments or args.seed is not None
            or args.points is not None or example is not None):
        # A plain `ganviz` starts where the last window left off.
        from ganviz.app.remembered import last_launch

        remembered = last_launch()
        if remembered is not None:
            args.preset, overrides = remembered
    asked_for = None  # a preset that trains on pictures, given none: the window asks
    if args.data is None and needs_folder(presets.get(args.preset)) and not args.compare:
        asked_for, args.preset, overrides = args.preset, presets.DEFAULT_PRESET, {}
    data = _data(args)  # a bad folder or points file is refused here, before any window opens
    compare = None
    if args.compare:
        from ganviz.core.sweep_axes import checked_variants

        base = {**presets.get(args.preset).settings(), **overrides}
        try:
            compare = (checked_variants(args.compare, args.preset, base, "--compare"),
                       args.compare)
        except config.SettingError as error:
            raise UsageError(str(error)) from None
    from ganviz.app.display import display_problem  # imports no Qt

    problem = display_problem()
    if problem is not None:  # Qt would abort with a page about platform plugins
        print(f"ganviz: cannot open the window: {problem}", file=sys.stderr)
        return NO_DISPLAY
    custom = None
    if args.points is not None:
        overrides["dataset"] = "custom"
        custom = data
    launched = launch_trainer(args, overrides, custom)
    from ganviz.app.main import run_app  # Qt is imported only for the window

    return run_app(preset=args.preset, overrides=overrides, start=args.start,
                   data_dir=args.data, launched=launched, custom_points=custom,
                   example=example, compare=compare, asked_for=asked_for)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    commands = {"train": _train, "presets": lambda rest: _presets(), "data": _data_command,
                "bench": _bench, "timeline": cli_timeline.main, "sweep": cli_sweep.main}
    try:
        if argv and argv[0] in commands:
            if argv[0] == "presets" and argv[1:]:
                raise UsageError(f"presets takes no arguments, got {' '.join(argv[1:])}")
            return commands[argv[0]](argv[1:])
        return _window(argv)
    except (UsageError, config.SettingError, outputs.WriteFailed) as error:
        command = f"ganviz {argv[0]}" if argv and argv[0] in commands else "ganviz"
        print(f"{command}: error: {error}", file=sys.stderr)
        return WRITE_FAILED if isinstance(error, outputs.WriteFailed) else USAGE_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
