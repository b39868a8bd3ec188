"""Build a running simulator from options (shared by the CLI and SimulatorServer)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from .app import create_app
from .core import Simulator, build
from .faults import Faults
from .scenarios import load
from .webhooks import WEBHOOKS, WebhookSender


def make_app(
    scenario: str | Path | dict[str, Any] = "demo",
    *,
    tokens: Sequence[str] | None = None,
    actuation_delay: float = 2.0,
    hold_scale: float = 1.0,
    smart_hosting_status: int = 402,
    smart_hosting_body: str = "detailMessage",
    busy_conflicts: bool = True,
    error_rate: float = 0.0,
    error_kinds: Sequence[str] = ("500",),
    latency: float = 0.0,
    timeout_seconds: float = 60.0,
    seed: int | None = None,
    webhook_delay: float = 0.0,
    webhook_loss: float = 0.0,
) -> tuple[web.Application, Simulator]:
    """Return the app and its Simulator for a scenario and the start options."""
    faults = Faults(
        rate=error_rate,
        kinds=tuple(error_kinds),
        latency=latency,
        timeout_seconds=timeout_seconds,
        seed=seed,
    )
    sim = build(
        load(scenario),
        tokens=tokens,
        actuation_delay=actuation_delay,
        hold_scale=hold_scale,
        smart_hosting_status=smart_hosting_status,
        smart_hosting_body=smart_hosting_body,
        busy_conflicts=busy_conflicts,
        faults=faults,
    )
    app = create_app(sim)
    app[WEBHOOKS].configure(delay=webhook_delay, loss=webhook_loss, seed=seed)

    async def stop(_: web.Application) -> None:
        await sim.close()

    app.on_shutdown.append(stop)
    return app, sim


def sender(app: web.Application) -> WebhookSender:
    """Return the app's webhook sender."""
    return app[WEBHOOKS]
