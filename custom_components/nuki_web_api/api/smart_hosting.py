"""When a device's Smart Hosting ends (Swagger 4.20.0 ``ShsSubscription``), to warn in time."""

from __future__ import annotations

from datetime import datetime, timedelta

from .models import Smartlock


def subscription_ending(
    device: Smartlock, now: datetime, warning: timedelta
) -> tuple[bool, datetime | None] | None:
    """Return (in the grace period, the end) if that is the case or the end is within ``warning``.

    None for a device Nuki already refuses (``smart_hosting_missing`` applies instead).
    """
    subscription = device.current_subscription
    if subscription is None or device.smart_hosting_missing:
        return None
    end = subscription.expiration_date
    if subscription.is_in_grace_period:
        return (True, end)
    if end is not None and end - now <= warning:
        return (False, end)
    return None
