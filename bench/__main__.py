"""``python -m bench``: run every scenario, print a table, write bench/results/*.json."""

from __future__ import annotations

import argparse
import asyncio

from bench import netvisor_protocol, scheduling

SCENARIOS = ("netvisor_protocol", "scheduling")


async def run_all(args: argparse.Namespace) -> None:
    chosen = SCENARIOS if args.only is None else (args.only,)
    if "netvisor_protocol" in chosen:
        await netvisor_protocol.run(scale=args.scale)
    if "scheduling" in chosen:
        await scheduling.run(
            scale=args.scale,
            latency_ms=args.latency_ms,
            cycle_seconds=args.cycle_seconds,
            concurrency=args.concurrency,
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every scenario's size (default 1)"
    )
    parser.add_argument("--only", choices=SCENARIOS, help="run this scenario alone")
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=20.0,
        help="scheduling: sandbox latency per request, both sandboxes (default 20)",
    )
    parser.add_argument(
        "--cycle-seconds",
        type=float,
        default=90.0,
        help="scheduling: real seconds one 40-minute cycle takes (default 90)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=12,
        help="scheduling: jobs at once per worker (default 12)",
    )
    args = parser.parse_args()
    asyncio.run(run_all(args))


if __name__ == "__main__":
    main()
