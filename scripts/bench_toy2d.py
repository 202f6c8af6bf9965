"""2-D mode coverage over seeds: the ring8 target of issue 5, measured as it is specified.

    python scripts/bench_toy2d.py [--preset ring8] [--seeds 0-9] [--steps 20000] [--jobs 2]

Trains the preset headless for ``--steps`` iterations on each seed (``--jobs`` seeds at a
time, one torch thread each), draws 10,000 samples of the drawn generator (in data units)
and reports, per seed: the modes holding >= 5% of the samples, the smallest mode share,
the share within 3 sigma of some mode, KL and JS on the grid, and whether the seed meets
the target (all modes >= 5% and >= 90% within 3 sigma). Prints a table, then one JSON line.
Not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time

from ganviz.core import presets

MIN_SHARE = 0.05
MIN_HIGH_QUALITY = 0.90


def run_seed(job: tuple[str, int, int, dict]) -> dict:
    import torch

    from ganviz.core.trainer import Trainer

    preset, seed, steps, overrides = job
    torch.set_num_threads(1)  # two jobs on two cores: one thread each
    trainer = Trainer(preset, {**overrides, "seed": seed})
    started = time.perf_counter()
    trainer.run(steps)
    seconds = time.perf_counter() - started
    metrics = trainer.metrics()
    shares = metrics.get("mode_shares", [])
    passed = bool(shares) and min(shares) >= MIN_SHARE and \
        metrics["high_quality"] >= MIN_HIGH_QUALITY
    return {"seed": seed, "seconds": round(seconds, 1), "ms_per_iteration":
            round(1000 * seconds / steps, 2), "modes_covered": metrics.get("modes_covered"),
            "min_share": min(shares) if shares else None,
            "high_quality": metrics.get("high_quality"), "kl_bits": metrics["kl_bits"],
            "js_bits": metrics["js_bits"], "passed": passed}


def seed_list(text: str) -> list[int]:
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="ring8", choices=[
        n for n, p in presets.PRESETS.items() if p.mode == "2d"])
    parser.add_argument("--seeds", type=seed_list, default=list(range(10)))
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--set", dest="assignments", action="append", default=[],
                        metavar="NAME=VALUE")
    args = parser.parse_args()
    from ganviz.core import config

    overrides = dict(config.parse_assignment(a) for a in args.assignments)
    jobs = [(args.preset, seed, args.steps, overrides) for seed in args.seeds]
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        results = pool.map(run_seed, jobs)
    print(f"{args.preset}, {args.steps:,} iterations, 10,000 samples per seed")
    print("seed  modes>=5%  min share  within 3σ  KL bits  JS bits  ms/it  target")
    for r in results:
        print(f"{r['seed']:>4}  {r['modes_covered']:>9}  {r['min_share']:>9.3f}  "
              f"{r['high_quality']:>9.1%}  {r['kl_bits']:>7.3f}  {r['js_bits']:>7.4f}  "
              f"{r['ms_per_iteration']:>5.2f}  {'met' if r['passed'] else 'missed'}")
    met = sum(r["passed"] for r in results)
    print(f"target met on {met} of {len(results)} seeds")
    print(json.dumps({"preset": args.preset, "steps": args.steps, "overrides": overrides,
                      "met": met, "seeds": results}))


if __name__ == "__main__":
    main()
