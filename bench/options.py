"""The options of `python -m bench load`, apart from the benchmark so that its --help works without aiohttp."""

from __future__ import annotations

import argparse

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class BenchError(Exception):
    """Options the benchmark cannot run with; printed without a traceback."""


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(
        prog="python -m bench load", description="Load benchmark: a real server driven over HTTP, with baselines."
    )
    parser.add_argument("--candidates", type=int, default=2000, help="simulated candidates (default 2000)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of sustained saving (default 60)")
    parser.add_argument("--think", type=float, default=20, help="seconds between one candidate's saves (default 20)")
    parser.add_argument("--database-url", help="a scratch database (default: a temporary SQLite file)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    parser.add_argument("--logins", type=int, default=100, help="candidates in the password login burst")
    parser.add_argument("--burst", type=int, default=1000, help="candidates pressing Start within one second")
    parser.add_argument("--bank", type=int, default=1000, help="approved items in the bank (default 1000)")
    parser.add_argument(
        "--stored-responses",
        type=int,
        default=0,
        help="answers already stored in earlier submitted attempts, e.g. 1000000 (default 0)",
    )
    parser.add_argument(
        "--prepared-forms",
        choices=("yes", "no"),
        default="yes",
        help="prepare every candidate's form in the set-up, as the scheduled job does before a window opens (yes), "
        "or leave assembly to the start burst (no)",
    )
    parser.add_argument(
        "--live-seconds",
        type=float,
        default=30,
        help="seconds every open exam page polls its live channel (every 3 s) in the live phase (default 30)",
    )
    parser.add_argument("--submit-rate", type=float, default=200, help="submissions per second at the end")
    parser.add_argument("--step-seconds", type=float, default=3, help="length of each capacity sweep step")
    parser.add_argument(
        "--step-requests", type=int, default=200, help="at least this many requests in each sweep step (default 200)"
    )
    parser.add_argument("--max-rate", type=int, default=12800, help="the highest rate a sweep offers (per second)")
    parser.add_argument("--connections", type=int, default=1000, help="the driver's connection pool size")
    parser.add_argument(
        "--scheduler", choices=("internal", "off"), default="internal", help="periodic jobs in the server process"
    )
    parser.add_argument("--json", action="store_true", help="JSON on stdout, the table on stderr")
    parser.add_argument("--output", help="where to write the JSON (default var/bench-<time>.json)")
    return parser


def check_arguments(args: argparse.Namespace) -> str | None:
    for name in ("candidates", "workers", "logins", "burst", "bank", "connections", "step_requests", "max_rate"):
        if getattr(args, name) < 1:
            return f"--{name.replace('_', '-')} must be at least 1"
    for name in ("duration", "think", "live_seconds", "submit_rate", "step_seconds"):
        if getattr(args, name) <= 0:
            return f"--{name.replace('_', '-')} must be more than 0"
    if args.stored_responses < 0:
        return "--stored-responses must be 0 or more"
    if args.database_url:
        try:
            url = make_url(args.database_url)
        except ArgumentError:
            return f"--database-url {args.database_url!r} is not a database URL"
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return "--database-url: the server processes need a SQLite file (sqlite:///path), not memory"
    return None
