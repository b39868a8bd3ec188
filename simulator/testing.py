"""In-process simulator for tests: `async with SimulatorServer() as sim: ...`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from .core import Device, Json
from .server import make_app
from .webhooks import WebhookSender


class SimulatorServer:
    """Start the simulator on 127.0.0.1 (free port) in the running event loop.

    The helper methods call the same Simulator methods as the /_sim control endpoints.
    """

    def __init__(
        self,
        scenario: str | Path | dict[str, Any] = "demo",
        *,
        tokens: Sequence[str] | None = None,
        actuation_delay: float = 0.05,
        port: int = 0,
        **options: Any,
    ) -> None:
        """Build the app now; it starts listening on __aenter__."""
        self._app, self.state = make_app(
            scenario, tokens=tokens, actuation_delay=actuation_delay, **options
        )
        self._port = port
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def token(self) -> str:
        """Return the scenario's first token."""
        return next(iter(self.state.tokens))

    @property
    def tokens(self) -> list[str]:
        """Return all tokens in scenario order."""
        return list(self.state.tokens)

    @property
    def webhooks(self) -> WebhookSender:
        """Return the webhook sender (settings and the list of deliveries)."""
        from .server import sender  # noqa: PLC0415

        return sender(self._app)

    async def __aenter__(self) -> Self:
        """Start serving."""
        self._runner = web.AppRunner(
            self._app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop serving and cancel background work."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.state.close()

    # ---- helpers mirroring /_sim ------------------------------------------------------------

    def device(self, smartlock_id: int) -> Device:
        """Return a device."""
        return self.state.any_device(smartlock_id)

    def press_button(self, smartlock_id: int) -> None:
        """Press the device button (POST /_sim/devices/{id}/button)."""
        self.state.press_button(smartlock_id)

    def set_door(self, smartlock_id: int, door: str, ajar_timeout: int = 5) -> None:
        """Open/close/hold the door: door = "open" | "closed" | "ajar"."""
        self.state.set_door(smartlock_id, door, ajar_timeout)

    def ring(self, smartlock_id: int) -> None:
        """Ring at an Opener."""
        self.state.ring(smartlock_id)

    def use_keypad(self, smartlock_id: int, code: int, action: int | None = None) -> bool:
        """Enter a keypad code; returns whether it was accepted."""
        return self.state.use_keypad(smartlock_id, code, action)

    def set_smart_hosting(self, smartlock_id: int, active: bool) -> None:
        """Switch Smart Hosting for a device."""
        self.state.set_smart_hosting(smartlock_id, active)

    def add_device(self, data: Json) -> int:
        """Add a device (Smartlock JSON plus optional `_sim` flags); returns its id."""
        return self.state.add_device(data).id

    def remove_device(self, smartlock_id: int) -> None:
        """Remove a device."""
        self.state.remove_device(smartlock_id)

    def fail_next(self, kind: str, count: int = 1, route: str | None = None) -> None:
        """Fail the next `count` requests (optionally of one route, "GET /smartlock") with `kind`."""
        self.state.faults.fail_next(kind, count, route)

    def set_faults(self, **settings: Any) -> None:
        """Set random faults: rate, kinds, latency, timeout_seconds, retry_after, seed."""
        self.state.faults.configure(**settings)

    def counters(self) -> Json:
        """Return request counters (GET /_sim/counters)."""
        return self.state.counters_json()

    def reset_counters(self) -> None:
        """Reset request counters."""
        self.state.reset_counters()
