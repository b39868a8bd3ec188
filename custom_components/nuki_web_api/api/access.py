"""What a token may do: the read scopes the integration needs, probed without side effects."""

from __future__ import annotations

from collections.abc import Awaitable

from .client import NukiWebApiClient
from .errors import NukiAuthError


async def _permitted(probe: Awaitable[object]) -> bool:
    try:
        await probe
    except NukiAuthError:
        return False
    return True


async def missing_scopes(client: NukiWebApiClient) -> list[str]:
    """Return the read scopes the token lacks (Nuki answers a read it may not do with 401).

    smartlock.action cannot be probed without moving a lock; a missing one shows on use.
    """
    return [
        scope
        for scope, allowed in (
            ("smartlock.log", await _permitted(client.logs(limit=1))),
            ("smartlock.auth", await _permitted(client.auths())),
        )
        if not allowed
    ]
