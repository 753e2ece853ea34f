"""``python -m bench``: run every scenario, print a table, write bench/results/*.json."""

from __future__ import annotations

import argparse
import asyncio

from bench import (
    codec,
    engine,
    history,
    money,
    netvisor_protocol,
    scaling,
    scheduling,
    sync_invoices,
    sync_scenarios,
)

SCENARIOS = (
    "engine",
    "codec",
    "netvisor_protocol",
    "scaling",
    "scheduling",
    "history",
    "money",  # issue 19: the money transfers' call counts
    *sync_scenarios.SCENARIOS,
    sync_invoices.SCENARIO,
)


async def run_all(args: argparse.Namespace) -> None:
    chosen = SCENARIOS if args.only is None else (args.only,)
    if "engine" in chosen:
        await engine.run(scale=args.scale)
    if "codec" in chosen:
        codec.run(scale=args.scale)
    if "netvisor_protocol" in chosen:
        await netvisor_protocol.run(scale=args.scale)
    if "scaling" in chosen:
        scaling.run(scale=args.scale)  # each size in a child process of its own
    if "scheduling" in chosen:
        await scheduling.run(
            scale=args.scale,
            latency_ms=args.latency_ms,
            cycle_seconds=args.cycle_seconds,
            concurrency=args.concurrency,
        )
    if "history" in chosen:
        await asyncio.to_thread(history.run, scale=args.scale)
    if sync_invoices.SCENARIO in chosen:
        await sync_invoices.run(
            scale=args.scale,
            netvisor_latency_ms=args.netvisor_latency_ms,
            severa_latency_ms=args.severa_latency_ms,
            severa_limit=args.severa_limit,
        )
    if "money" in chosen:
        await money.run(scale=args.scale)
    sync_chosen = [name for name in chosen if name in sync_scenarios.SCENARIOS]
    if sync_chosen:
        await sync_scenarios.run(
            scale=args.scale,
            netvisor_latency_ms=args.netvisor_latency_ms,
            severa_latency_ms=args.severa_latency_ms,
            severa_limit=args.severa_limit,
            only=None if len(sync_chosen) == len(sync_scenarios.SCENARIOS) else sync_chosen[0],
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
    parser.add_argument(
        "--netvisor-latency-ms",
        type=float,
        default=20.0,
        help="sync scenarios: Netvisor latency per call, one call at a time (default 20)",
    )
    parser.add_argument(
        "--severa-latency-ms",
        type=float,
        default=20.0,
        help="sync scenarios: Severa latency per call (default 20)",
    )
    parser.add_argument(
        "--severa-limit",
        type=int,
        default=10,
        help="sync scenarios: Severa requests per rolling second, sandbox and client (default 10)",
    )
    args = parser.parse_args()
    asyncio.run(run_all(args))


if __name__ == "__main__":
    main()
