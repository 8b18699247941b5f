"""`python -m bench BENCHMARK [options]`: every benchmark behind one command, run from a checkout (bench/ is not
installed with the product). `python -m bench BENCHMARK --help` lists a benchmark's own options."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> what it measures; each is the module bench.<name>, imported only when chosen (the load benchmark needs
# aiohttp, the others do not).
BENCHMARKS = {
    "side": "the engine beside the bare baselines in closed loops, with server CPU per request (issue 22)",
    "load": "a real server driven over HTTP by many candidates, with baselines (docs/performance.md)",
    "assembly": "form assembly latency against bank size",
    "itembank": "item import and search over a large bank",
    "dashboard": "the proctor dashboard's refresh with a full sitting",
    "starts": "a start burst, with and without prepared forms",
    "crash": "the server killed while candidates save: no acknowledged answer lost",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="The benchmarks of examengine, run from a checkout."
    )
    choices = parser.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
    for name, summary in BENCHMARKS.items():
        choices.add_parser(name, help=summary, add_help=False)  # its own parser reads the rest, --help included
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    chosen, rest = build_parser().parse_known_args(argv)
    try:
        module = importlib.import_module(f"bench.{chosen.benchmark}")
    except ModuleNotFoundError as error:
        print(f"python -m bench {chosen.benchmark} needs {error.name}: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    status: int | None = module.main(rest)
    return status or 0
