"""``ganviz sweep``: variants of one preset trained together (core/sweep.py), a table of
how each ended, a metrics file per variant and a picture of them side by side."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ganviz import cli_outputs as outputs
from ganviz.arguments import Parser, UsageError, assignment, positive_int, positive_seconds
from ganviz.arguments import preset_name as preset_type
from ganviz.core import config, presets

SAFE_NAME = re.compile(r"^[A-Za-z0-9_.=,+\-]+$")  # a variant's name, used as a file name


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ganviz sweep",
        description="Train variants of one preset together (the toys' as one batched model) "
                    "and compare how they end.",
        epilog="example: ganviz sweep --preset gaussian --vary lr_d=1e-4,3e-4,1e-3,3e-3 "
               "--vary k=1,2,3,5 --steps 2000 --png grid.png")
    parser.add_argument("--preset", type=preset_type, default=presets.DEFAULT_PRESET,
                        help=f"the preset every variant starts from (default "
                        f"{presets.DEFAULT_PRESET}); see `ganviz presets`")
    parser.add_argument("--vary", action="append", default=[], metavar="NAME=V1,V2,...",
                        help="a setting and its values (once or twice: every combination is "
                        "a variant; 2 to 64 for the toys, 4 for MNIST)")
    parser.add_argument("--set", dest="assignments", metavar="NAME=VALUE", type=assignment,
                        action="append", default=[], help="a setting for every variant")
    parser.add_argument("--seed", type=str, default=None, help="the seed of every variant")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--steps", type=positive_int("--steps"), default=None,
                        help="iterations of each variant (default 2000)")
    length.add_argument("--seconds", type=positive_seconds, default=None,
                        help="train for this many seconds of wall time instead")
    parser.add_argument("--log-every", type=positive_int("--log-every"), default=50,
                        help="iterations between metric records (default 50)")
    parser.add_argument("--metrics-dir", type=Path, default=None, metavar="DIR",
                        help="write each variant's records to DIR/<variant>.jsonl, named by "
                        "its settings as given (lr_d=3e-4,k=2.jsonl)")
    parser.add_argument("--png", type=outputs.output_name("--png"), default=None,
                        metavar="FILE.png", help="the variants side by side")
    parser.add_argument("--quiet", action="store_true", help="the table only")
    return parser


def _base(args: argparse.Namespace, varied: set[str]) -> dict:
    values = dict(args.assignments)
    if args.seed is not None:
        values["seed"] = config.lookup("seed").parse(args.seed)
    clash = sorted(varied & set(values))
    if clash:
        raise UsageError(f"--vary {clash[0]}: also given with --set or --seed; vary it or "
                         f"set it")
    preset = presets.get(args.preset)
    return config.validate(values, preset.mode)


def _check_folder(folder: Path | None) -> None:
    if folder is not None and not folder.is_dir():
        raise UsageError(f"--metrics-dir: {folder} is not a folder")


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    from ganviz.core import sweep

    try:
        variants = sweep.variants(args.vary, args.preset)
    except config.SettingError as error:
        raise UsageError(str(error)) from None
    base = _base(args, {name for v in variants for name in v.changes})
    preset = presets.get(args.preset)
    for variant in variants:  # every combination must be buildable, before any trains
        merged = {**preset.settings(), **base, **variant.changes}
        try:
            config.check_consistency(merged)
            preset.check(merged)
        except config.SettingError as error:
            raise UsageError(f"variant {variant.name}: {error}") from None
        if args.metrics_dir is not None and not SAFE_NAME.match(variant.name):
            raise UsageError(f"--metrics-dir: variant {variant.name!r} cannot name a file")
    _check_folder(args.metrics_dir)
    if args.png is not None:
        outputs.check_output("--png", args.png)
    from ganviz.core.sweep_run import SweepRun

    run = SweepRun(args.preset, variants, base)
    files = {}
    try:
        if args.metrics_dir is not None:
            files = {i: open(args.metrics_dir / f"{v.name}.jsonl", "w",  # noqa: SIM115
                             encoding="utf-8", buffering=1) for i, v in enumerate(variants)}
    except OSError as error:
        raise outputs.WriteFailed(f"--metrics-dir: {error}") from None

    def write(index: int, record: dict) -> None:
        if index in files:
            try:
                files[index].write(json.dumps({"variant": variants[index].name, **record})
                                   + "\n")
            except OSError as error:  # a full disk: one line, exit 1
                raise outputs.WriteFailed(f"--metrics-dir {files[index].name}: {error}") \
                    from None

    steps = args.steps if args.steps is not None or args.seconds is not None else 2000
    try:
        summary = run.train(steps=steps if args.seconds is None else None,
                            seconds=args.seconds, log_every=args.log_every, on_record=write)
    finally:
        for file in files.values():
            file.close()
    _print_table(run, summary)
    if args.png is not None:
        from ganviz.sweep_picture import draw

        columns = len(args.vary[-1].partition("=")[2].split(",")) if len(args.vary) > 1 else None
        draw(run, summary.last, args.png, columns)
    if not args.quiet:
        print(f"{len(variants)} variants × {summary.steps:,} iterations in "
              f"{summary.seconds:.1f} s ({summary.iterations_per_second:.0f} it/s each, "
              f"{summary.iterations_per_second * len(variants):,.0f} variant-iterations/s; "
              f"{run.batched} of {len(variants)} trained as batches)", file=sys.stderr)
    return 0


def _print_table(run, summary) -> None:
    mode = run.preset.mode
    figure = {"1d": "JS bits", "2d": "JS bits", "mnist": "confident"}[mode]
    width = max(len("variant"), *(len(v.name) for v in run.variants))
    print(f"{'variant':<{width}}  {figure:>9}  {'verdict':<18}  {'diagnosis':<18}  it/s")
    for variant, record in zip(run.variants, summary.last, strict=True):
        value = record.get("confident" if mode == "mnist" else "js_bits")
        shown = "–" if value is None else (f"{value:.0%}" if mode == "mnist" else f"{value:.4f}")
        verdict = record.get("verdict") or (
            f"{record['modes_covered']} of {len(record['mode_shares'])} modes"
            if record.get("mode_shares") else "")
        print(f"{variant.name:<{width}}  {shown:>9}  {verdict:<18}  "
              f"{record.get('diagnosis', ''):<18}  {summary.iterations_per_second:.0f}")
