"""A decentral webhook at Nuki that posts to a receiver's URL, reused while Nuki lists it."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import asdict, dataclass
from typing import Any, Self

from .client import NukiWebApiClient
from .errors import NukiInvalidResponseError, NukiNotFoundError
from .webhooks import WEBHOOK_FEATURES


@dataclass(frozen=True, slots=True)
class Registration:
    """The receiver's webhook id and the decentral webhook at Nuki that posts to it."""

    webhook_id: str
    nuki_id: int
    secret: str
    cloudhook: bool

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Self | None:
        """Return the registration stored by ``as_data``, or None when none is stored."""
        return None if data is None else cls(**data)

    def as_data(self) -> dict[str, str | int | bool]:
        """Return the registration as JSON for storing."""
        return asdict(self)


async def webhook_listed(client: NukiWebApiClient, registration: Registration) -> bool:
    """Tell whether Nuki still lists the registration's webhook (it may have dropped it)."""
    return any(hook.id == registration.nuki_id for hook in await client.decentral_webhooks())


async def register_webhook(
    client: NukiWebApiClient, webhook_id: str, url: str, *, cloudhook: bool
) -> Registration:
    """Register a webhook for ``url`` with the features the integration applies."""
    hook = await client.register_decentral_webhook(url, WEBHOOK_FEATURES)
    if hook.id is None or not hook.secret:
        raise NukiInvalidResponseError("The webhook registration came without an id or secret")
    return Registration(webhook_id, hook.id, hook.secret, cloudhook)


async def delete_webhook(client: NukiWebApiClient, registration: Registration) -> None:
    """Delete the registration's webhook at Nuki; one already gone is fine."""
    with suppress(NukiNotFoundError):
        await client.delete_decentral_webhook(registration.nuki_id)
