"""``ganviz bench``: how fast ganviz trains, with and without its window, and how it feels.

For each preset the same training runs three ways, interleaved over rounds so that a noisy
machine affects all three alike (the order rotates from round to round):

- **headless**: :class:`~ganviz.core.trainer.Trainer` stepped by the loop of ``ganviz train``;
- **window**: the real app (``ganviz --preset NAME --start``) on Qt's offscreen platform,
  drawing live, in a fresh process of its own. That process also gives the time from its
  launch to the first drawn frame, the frames drawn per second, the event loop's lateness
  (a timer asked to fire every 10 ms) and the peak memory of the window and its trainer
  process. While it runs, this process waits: two torch workloads never run at once;
- **plain**: the same networks and loss in the PyTorch loop a user would otherwise write
  (zero_grad / backward / step, torch's default Adam, nothing else), written in
  :mod:`ganviz.bench.measure`.

Headless and plain loops use the app's torch thread count for the preset
(:func:`ganviz.core.runtime.configure_threads`). Each figure is the median over the rounds;
on Linux the CPU that other processes used meanwhile is measured too, and a measurement
made while they used more than ``NOISY_CORES`` is left out when a quieter round of it
exists. The table goes to stdout, progress to stderr, and the last stdout line is one
JSON object with a record per preset.

Nothing here is imported by the app; this module's own imports stay light, because its
window process is timed from launch.
"""


from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable

from ganviz import arguments
from ganviz.bench.measure import OtherLoad, headless_rate, plain_loop, plain_rate
from ganviz.bench.report import NOISY_CORES, WAYS, print_table, summarise
from ganviz.bench.window import WindowError, window_main, window_run
from ganviz.core import config, presets

__all__ = ["FIELDS", "NOISY_CORES", "WAYS", "OtherLoad", "WindowError", "build_parser",
           "headless_rate", "main", "plain_loop", "plain_rate", "print_table", "run",
           "summarise", "window_main", "window_run"]

DEFAULT_PRESETS = ("gaussian", "mnist")
DEFAULT_SECONDS = 20.0
DEFAULT_ROUNDS = 3
FIELDS = ("headless_its", "window_its", "plain_its", "window_ratio", "plain_ratio", "fps",
          "stall_p99_ms", "stall_max_ms", "first_frame_s", "first_trained_frame_s",
          "close_s_max", "rss_mb", "rss_growth_mb")


class _Parser(arguments.Parser):
    def error(self, message: str):
        for option, name in (("--rounds", "--rounds"), ("--soak", "--soak"),
                             ("--device", "device")):  # our messages already name it
            prefix = f"argument {option}: "
            if message.startswith(prefix + name):
                message = message[len(prefix):]
        super().error(message)


def _positive_minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"--soak: {text!r} is not allowed; expected a positive number of minutes")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ganviz bench",
        description="Measure training speed headless, in the window (offscreen, drawing live) "
        "and in a plain PyTorch loop, with the window's frame rate, event-loop stalls, time "
        "to first frame and memory. Prints a table, then one JSON line.",
    )
    parser.add_argument("--preset", dest="presets", action="append", type=arguments.preset_name,
                        default=None, metavar="NAME",
                        help=f"preset to measure (repeatable; default: "
                        f"{' '.join(DEFAULT_PRESETS)})")
    parser.add_argument("--seconds", type=arguments.positive_seconds, default=DEFAULT_SECONDS,
                        help="seconds of training timed per preset for each of headless, "
                        f"window and plain, split over the rounds (default {DEFAULT_SECONDS:g})")
    parser.add_argument("--rounds", type=arguments.positive_int("--rounds", 100),
                        default=DEFAULT_ROUNDS,
                        help=f"interleaved rounds (default {DEFAULT_ROUNDS})")
    parser.add_argument("--soak", type=_positive_minutes, default=None, metavar="MINUTES",
                        help="also keep each preset's window training this long and report "
                        "its memory growth (rss_growth_mb)")
    parser.add_argument("--device", type=_device_name, default=None,
                        help="train on this device in all three ways: "
                        f"{' | '.join(config.DEVICES)} (default: the preset's own setting, "
                        "auto)")
    return parser


def _device_name(text: str) -> str:
    """A ``device`` value that works on this machine (else one line saying why not)."""
    from ganviz.core import runtime

    try:
        config.lookup("device").parse(text)
        runtime.check_available(text)
    except config.SettingError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    names = list(dict.fromkeys(args.presets or DEFAULT_PRESETS))
    try:
        results = run(names, args.seconds, args.rounds, args.soak, device=args.device)
    except WindowError as error:
        print(f"ganviz bench: error: {error}", file=sys.stderr)
        return 1
    print_table(results, args.seconds, args.rounds, args.soak)
    print(json.dumps(results), flush=True)
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ running
def run(names: list[str], seconds: float, rounds: int, soak_minutes: float | None = None,
        log: Callable[[str], None] = _log, device: str | None = None) -> dict[str, dict]:
    """Measure ``names``; each way trains ``seconds`` per preset, over ``rounds`` rounds, on
    ``device`` (None: each preset's own ``device`` setting)."""
    per_round = seconds / rounds
    samples: dict[str, dict[str, list]] = {
        name: {key: [] for way in WAYS for key in (way, f"{way}_load")} for name in names}
    for round_index in range(rounds):
        for name in names:
            shift = round_index % len(WAYS)
            for way in WAYS[shift:] + WAYS[:shift]:
                soak = (soak_minutes * 60.0 if soak_minutes and way == "window"
                        and round_index == rounds - 1 else None)
                meter = OtherLoad()
                if way == "headless":
                    value = headless_rate(name, per_round, device)
                    note = f"{value:.1f} it/s"
                elif way == "plain":
                    value = plain_rate(name, per_round, device)
                    note = f"{value:.1f} it/s"
                else:
                    if soak:
                        log(f"[{name}] soak: the window trains for {soak / 60:g} min")
                    value = window_run(name, per_round, soak, device)
                    note = (f"{value['its']:.1f} it/s, {value['fps']:.1f} fps, window "
                            f"drawn {value['first_frame_s']:.2f} s, first trained frame "
                            f"{value['first_trained_frame_s']:.2f} s")
                samples[name][way].append(value)
                samples[name][f"{way}_load"].append(meter.stop())
                log(f"[{name}] round {round_index + 1}/{rounds} {way}: {note}"
                    + (f" (other processes: {meter.cores:.2f} cores)"
                       if meter.cores is not None else ""))
    return {name: dict(summarise(name, samples[name]), device=_device_used(name, device))
            for name in names}


def _device_used(name: str, device: str | None) -> str:
    """The torch device ``name`` trains on, with the GPU's model where it is one."""
    import torch

    from ganviz.core import runtime

    preset = presets.get(name)
    used = runtime.resolve_device(device or preset.settings()["device"], preset.mode)
    if used.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(used)})"
    return used.type
