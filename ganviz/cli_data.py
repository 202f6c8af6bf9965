"""``ganviz data download``: fetch MNIST, Fashion-MNIST or CIFAR-10 into the cache, verified.

A download that fails is one line and exit status 1; bad usage is one line and 2 (the
:class:`~ganviz.arguments.UsageError` goes up to :func:`ganviz.cli.main`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganviz.arguments import Parser

# As ganviz.core.images.download.DATASETS (a test checks): named here so that parsing
# the command line imports no numpy.
DATASET_NAMES = ("mnist", "fashion-mnist", "cifar10")


def build_data_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="ganviz data", description="Download the standard datasets.")
    commands = parser.add_subparsers(dest="command", required=True)
    download = commands.add_parser(
        "download", help="fetch a dataset into the cache (default: MNIST's 60,000-digit "
        "training split)")
    download.add_argument("--dataset", choices=DATASET_NAMES, default="mnist",
                          help="mnist (12 MB), fashion-mnist (31 MB) or cifar10 (170 MB, "
                          "kept with a 154 MB cache of its training images); default mnist")
    download.add_argument("--mirror", action="append", default=None, metavar="URL",
                          help="base URL to fetch from (repeatable; default: the built-in "
                          "list, or $GANVIZ_MNIST_MIRRORS, $GANVIZ_FASHION_MNIST_MIRRORS, "
                          "$GANVIZ_CIFAR10_MIRRORS)")
    download.add_argument("--dest", type=Path, default=None,
                          help="folder to store the files in (default: the user's cache)")
    download.add_argument("--quiet", action="store_true", help="no progress line")
    return parser


def _data_command(argv: list[str]) -> int:
    args = build_data_parser().parse_args(argv)
    from ganviz.core.images import download
    from ganviz.core.mnist.progress import format_progress

    spec = download.dataset(args.dataset)
    dest = args.dest if args.dest is not None else download.dataset_dir(spec.name)

    def progress(info) -> None:
        if not args.quiet:
            print(f"\r{format_progress(info):<60}", end="", file=sys.stderr, flush=True)

    try:
        download.download_dataset(spec.name, dest, mirrors=args.mirror, progress=progress)
    except download.DownloadError as error:
        if not args.quiet:
            print(file=sys.stderr)
        fallback = ("; training goes on with the bundled 10,000 digits"
                    if spec.name == "mnist" else "")
        print(f"ganviz data: error: {error}{fallback}", file=sys.stderr)
        return 1
    if not args.quiet:
        what = "full MNIST training split" if spec.name == "mnist" else spec.title
        print(f"\n{what} ready in {dest}; {spec.uses()}", file=sys.stderr)
    return 0
