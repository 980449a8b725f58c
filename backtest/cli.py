"""``python -m backtest [--source local|account] [--from FILE] [--save FILE] [--days N] [--against deployed]
[-c key=value ...]`` (``make backtest``; ``-c`` are the CDK context overrides of ``CDK_ARGS=``).

Exit status: 0 when the report was printed, 2 on a usage, history or AWS error (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from backtest import account, deployed, local_source
from backtest import history as histories
from backtest.errors import BacktestError
from backtest.plan import configured, judged
from backtest.replay import run
from backtest.report import render
from local.telemetry import DEFAULT_DIR

DEFAULT_DAYS = 14


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="make backtest", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--source",
        choices=("local", "account"),
        default="local",
        help="where the history comes from (default: the local recording of `make run`)",
    )
    p.add_argument("--from", dest="from_file", type=Path, help="replay a saved history file instead")
    p.add_argument("--save", type=Path, help="also save the history to this file (.json or .json.gz)")
    p.add_argument("--days", type=float, default=DEFAULT_DAYS, help="account: days to fetch (default 14)")
    p.add_argument("--telemetry-dir", type=Path, default=DEFAULT_DIR, help="local: the recording's folder")
    p.add_argument("--against", choices=("deployed",), help="compare with the alarms deployed now (account)")
    p.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE", help="CDK context override")
    args = p.parse_args(argv)
    if args.from_file and args.source == "account":
        p.error("--from replays a file: leave out --source account")
    if not 0 < args.days <= 455:
        p.error("--days must be in (0, 455]: CloudWatch keeps no metric data longer")
    return args, [x for kv in args.context for x in ("-c", kv)]


def main(argv: Sequence[str] = (), *, session: Any = None, out: Callable[[str], None] = print) -> int:
    args, context_args = parse(argv)
    try:
        lines = backtest(args, context_args, session)
    except BacktestError as exc:
        print(f"backtest: {exc}", file=sys.stderr)
        return 2
    for line in lines:
        out(line)
    return 0


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def backtest(args: argparse.Namespace, context_args: list[str], session: Any) -> list[str]:
    setup = configured(context_args)
    names: account.Names | None = None
    described: list[tuple[str, Any]] = []
    if args.source == "account" or args.against:
        session = session or account.session()
        names = account.deployed_names(setup, session, progress=progress)
        if args.against:
            described = deployed.describe(setup, names, session, progress=progress)
    if args.from_file:
        history = histories.load(args.from_file)
        history.source += f"; replayed from {args.from_file}"
    elif names is not None and args.source == "account":
        dep = deployed.from_describe(described, f"{setup.service_name}-")
        extra = [(dep.aset, dep.region_of)] if args.against else []
        history = account.fetch(setup, names, session, days=args.days, progress=progress, extra=extra)
    else:
        history = local_source.read(args.telemetry_dir)
    alarms = judged(setup.plan, history.refs or (names.refs if names else {}))
    progress(f"backtest: replaying {len(alarms.model)} alarms over {history.end - history.start} minutes")
    replay = run(alarms.evaluator, history)
    overrides = " ".join(context_args)
    title = f"backtest: the {len(alarms.model)} alarms of {setup.service_name} in this working tree" + (
        f" ({overrides})" if overrides else ""
    )
    lines, _ = render(alarms.model, replay, title=title)
    if names is not None and args.against:
        lines += [
            "",
            *deployed.compare(setup, names, session, history, alarms, replay, described=described, progress=progress),
        ]
    if args.save:
        histories.save(history, args.save)
        lines.append(f"history saved to {args.save} (replay it with: make backtest FROM={args.save})")
    return lines
