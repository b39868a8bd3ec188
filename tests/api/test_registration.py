"""The decentral webhook registration: reused while listed, refused without id or secret."""

from __future__ import annotations

import pytest

from custom_components.nuki_web_api.api import (
    WEBHOOK_FEATURES,
    NukiInvalidResponseError,
    NukiServerError,
    NukiWebApiClient,
    Registration,
    delete_webhook,
    register_webhook,
    webhook_listed,
)

from .conftest import FakeNuki

HOOK = {"id": 8, "secret": "f00", "webhookUrl": "https://example.com/hook"}


async def test_register_and_store(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    """The registration asks for the features applied and round-trips through as_data."""
    nuki_server.respond(200, HOOK)
    registration = await register_webhook(client, "ha-id", HOOK["webhookUrl"], cloudhook=True)
    assert registration == Registration("ha-id", 8, "f00", cloudhook=True)
    assert nuki_server.last.json["webhookFeatures"] == list(WEBHOOK_FEATURES)
    assert Registration.from_data(registration.as_data()) == registration
    assert Registration.from_data(None) is None


@pytest.mark.parametrize("answer", [{**HOOK, "secret": ""}, {"secret": "f00"}])
async def test_register_without_id_or_secret(
    client: NukiWebApiClient, nuki_server: FakeNuki, answer: dict[str, object]
) -> None:
    """Without an id (to delete it) or a secret (to check pushes) a webhook is of no use."""
    nuki_server.respond(200, answer)
    with pytest.raises(NukiInvalidResponseError):
        await register_webhook(client, "ha-id", "https://example.com/hook", cloudhook=False)


async def test_listed(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    """A registration Nuki no longer lists is not reused."""
    registration = Registration("ha-id", 8, "f00", cloudhook=False)
    nuki_server.respond(200, [HOOK])
    assert await webhook_listed(client, registration)
    nuki_server.respond(200, [{**HOOK, "id": 9}])
    assert not await webhook_listed(client, registration)


async def test_delete(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    """A webhook already gone (404) is deleted; other failures raise."""
    registration = Registration("ha-id", 8, "f00", cloudhook=False)
    nuki_server.respond(404, {"detailMessage": "not found"})
    await delete_webhook(client, registration)
    assert (nuki_server.last.method, nuki_server.last.path) == ("DELETE", "/api/decentralWebhook/8")
    nuki_server.respond(500, {"detailMessage": "boom"})
    with pytest.raises(NukiServerError):
        await delete_webhook(client, registration)
