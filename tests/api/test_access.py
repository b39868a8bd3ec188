"""The scope probe: which read scopes a token lacks, without writing anything."""

from __future__ import annotations

from custom_components.nuki_web_api.api import NukiWebApiClient, missing_scopes

from .conftest import FakeNuki


async def test_all_scopes(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    """A token that may read the log and the authorizations lacks nothing; only GETs are sent."""
    nuki_server.respond(200, [])
    assert await missing_scopes(client) == []
    assert {request.method for request in nuki_server.requests} == {"GET"}


async def test_no_read_scopes(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    """Nuki answers a read the token may not do with 401: each such scope is named."""
    nuki_server.respond(401, {"detailMessage": "Your access token is not authorized"})
    assert await missing_scopes(client) == ["smartlock.log", "smartlock.auth"]
