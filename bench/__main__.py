"""``python -m bench``: run every scenario, print a table, write bench/results/*.json."""

from __future__ import annotations

import argparse
import asyncio

from bench import netvisor_protocol


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply every scenario's size (default 1)"
    )
    args = parser.parse_args()
    asyncio.run(netvisor_protocol.run(scale=args.scale))


if __name__ == "__main__":
    main()
