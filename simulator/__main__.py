"""Command line: python -m simulator --port 8080 --scenario demo --token TOKEN."""

from __future__ import annotations

import argparse
import sys

from aiohttp import web

from . import DEMO_TOKEN
from .errors import SMART_HOSTING_BODIES
from .faults import FAULT_KINDS
from .server import make_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the CLI options."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="Nuki Web API simulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--scenario", default="demo", help="bundled name, generated:N or a JSON path"
    )
    parser.add_argument(
        "--token",
        action="append",
        dest="tokens",
        help=f"bearer token; repeat for the scenario's further tokens in order (default {DEMO_TOKEN})",
    )
    parser.add_argument("--actuation-delay", type=float, default=2.0)
    parser.add_argument("--smart-hosting-status", type=int, default=402)
    parser.add_argument(
        "--smart-hosting-body",
        choices=sorted(SMART_HOSTING_BODIES),
        default="detailMessage",
        help="the key of the Smart Hosting error body",
    )
    parser.add_argument(
        "--no-busy-conflicts", action="store_true", help="never answer 423 for a busy device"
    )
    parser.add_argument("--error-rate", type=float, default=0.0)
    parser.add_argument(
        "--error-kinds", default="500", help=f"comma-separated: {','.join(sorted(FAULT_KINDS))}"
    )
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--timeout-seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--webhook-delay", type=float, default=0.0)
    parser.add_argument("--webhook-loss", type=float, default=0.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the simulator until Ctrl-C."""
    args = parse_args(argv)
    app, sim = make_app(
        args.scenario,
        tokens=args.tokens,
        actuation_delay=args.actuation_delay,
        smart_hosting_status=args.smart_hosting_status,
        smart_hosting_body=args.smart_hosting_body,
        busy_conflicts=not args.no_busy_conflicts,
        error_rate=args.error_rate,
        error_kinds=args.error_kinds.split(","),
        latency=args.latency,
        timeout_seconds=args.timeout_seconds,
        seed=args.seed,
        webhook_delay=args.webhook_delay,
        webhook_loss=args.webhook_loss,
    )
    url = f"http://{args.host}:{args.port}"
    banner = (
        f"Nuki Web API simulator on {url} ({len(sim.devices)} devices, scenario {args.scenario})"
    )

    def announce(_: str) -> None:
        """Print the URL once the server listens (run_app calls this after binding)."""
        sys.stdout.write(banner + "\n")
        sys.stdout.flush()

    web.run_app(
        app, host=args.host, port=args.port, print=announce, access_log=None, shutdown_timeout=1.0
    )


if __name__ == "__main__":
    main()
