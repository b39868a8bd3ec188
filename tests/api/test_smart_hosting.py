"""When Smart Hosting ends: the grace period, the warning window, a device already refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from custom_components.nuki_web_api.api import Smartlock, subscription_ending

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
WARNING = timedelta(days=14)


def lock(subscription: dict[str, Any] | None, **extra: Any) -> Smartlock:
    data: dict[str, Any] = {"smartlockId": 1, "type": 4, "name": "Front door", **extra}
    if subscription is not None:
        data["currentSubscription"] = subscription
    return Smartlock.from_json(data)


def ends(days: int) -> str:
    return (NOW + timedelta(days=days)).isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("subscription", "expected"),
    [
        (None, None),
        ({"expirationDate": ends(30), "isInGracePeriod": False}, None),
        ({"expirationDate": ends(10), "isInGracePeriod": False}, (False, NOW + timedelta(days=10))),
        ({"expirationDate": ends(-2), "isInGracePeriod": True}, (True, NOW - timedelta(days=2))),
        ({"isInGracePeriod": True}, (True, None)),
    ],
)
def test_subscription_ending(
    subscription: dict[str, Any] | None, expected: tuple[bool, datetime | None] | None
) -> None:
    assert subscription_ending(lock(subscription), NOW, WARNING) == expected


def test_a_refused_device_has_no_ending() -> None:
    """Nuki already refuses it (an error item): the missing issue applies, not the warning."""
    refused = Smartlock.from_json(
        {
            "smartlockId": 1,
            "type": 4,
            "error": "No active Smart Hosting subscription for the Smart Lock, please get one!",
            "currentSubscription": {"expirationDate": ends(1), "isInGracePeriod": True},
        }
    )
    assert refused.smart_hosting_missing
    assert subscription_ending(refused, NOW, WARNING) is None
