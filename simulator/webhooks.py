"""Delivery of signed decentral webhooks (Advanced API), with configurable delay and loss."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from .core import Json, Simulator

SIGNATURE_HEADER = "X-Nuki-Signature-SHA256"
API_RESULT = "API"  # pseudo feature: results of advanced calls go to every webhook of the account


def sign(secret: str, body: bytes) -> str:
    """Return Nuki's signature: HMAC-SHA256 hex of the raw body, keyed with the secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class WebhookSender:
    """Listens to Simulator events and POSTs them to the registered webhooks."""

    sim: Simulator
    delay: float = 0.0
    loss: float = 0.0
    # Base URL ("http://127.0.0.1:8123") that replaces scheme and host of every registered
    # URL on delivery: tests register an https URL and receive on a loopback server.
    redirect: str | None = None
    rng: random.Random = field(default_factory=random.Random)
    deliveries: list[Json] = field(default_factory=list)
    _session: aiohttp.ClientSession | None = None

    @classmethod
    def attach(cls, app: web.Application, sim: Simulator) -> WebhookSender:
        """Create a sender for `sim`, subscribe it and close it with the app."""
        sender = cls(sim)
        sim.listeners.append(sender.on_event)
        app[WEBHOOKS] = sender

        async def close(_: web.Application) -> None:
            await sender.close()

        app.on_cleanup.append(close)
        return sender

    def configure(
        self,
        *,
        delay: float | None = None,
        loss: float | None = None,
        seed: int | None = None,
        redirect: str | None = None,
    ) -> None:
        """Change delay (seconds), loss (0..1), the RNG seed and the delivery redirect."""
        if redirect is not None:
            self.redirect = redirect.rstrip("/") or None
        if delay is not None:
            self.delay = max(0.0, delay)
        if loss is not None:
            if not 0.0 <= loss <= 1.0:
                raise ValueError("loss must be within 0..1")
            self.loss = loss
        if seed is not None:
            self.rng.seed(seed)

    def on_event(self, account_id: int, feature: str, payload: Json) -> None:
        """Queue a delivery to every webhook of the account that subscribed to `feature`."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        for hook in list(self.sim.webhooks.values()):
            if hook["accountId"] != account_id:
                continue
            if feature != API_RESULT and feature not in hook["webhookFeatures"]:
                continue
            if self.loss and self.rng.random() < self.loss:
                self.deliveries.append(
                    {"url": hook["webhookUrl"], "feature": feature, "status": "lost"}
                )
                continue
            url = self._target(hook["webhookUrl"])
            self.sim.spawn(self._deliver(url, hook["secret"], feature, body))

    def _target(self, url: str) -> str:
        if self.redirect is None:
            return url
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.redirect}{parts.path}{query}"

    async def _deliver(self, url: str, secret: str, feature: str, body: bytes) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._session is None:
            self._session = aiohttp.ClientSession()
        record: dict[str, Any] = {"url": url, "feature": feature, "body": json.loads(body)}
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                record["status"] = response.status
        except (aiohttp.ClientError, TimeoutError) as err:
            record["status"] = f"error: {type(err).__name__}"
        self.deliveries.append(record)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            await self._session.close()
            self._session = None


WEBHOOKS = web.AppKey("webhooks", WebhookSender)
