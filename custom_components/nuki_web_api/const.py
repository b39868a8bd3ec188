"""Constants for the Nuki Web API integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from homeassistant.const import Platform

DOMAIN: Final = "nuki_web_api"
LOGGER: Final = logging.getLogger(__package__)

PLATFORMS: Final = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONF_API_TOKEN: Final = "api_token"  # noqa: S105 - a config key, not a secret
CONF_API_URL: Final = "api_url"
CONF_ADVANCED: Final = "advanced"
CONF_SCAN_INTERVAL: Final = "scan_interval"
# Push updates (options, bool) and their registration at Nuki (data; push.Registration).
CONF_PUSH: Final = "push"
CONF_PUSH_REGISTRATION: Final = "push_registration"

DEFAULT_API_URL: Final = "https://api.nuki.io"
DEFAULT_SCAN_INTERVAL: Final = 30
MIN_SCAN_INTERVAL: Final = 10
MAX_SCAN_INTERVAL: Final = 3600

# Entries per page of GET /smartlock/log; a cycle reads older pages only to catch up
# (see logbook_cursor.MAX_PAGES).
LOG_PAGE_SIZE: Final = 50

# How long entities keep their last state while Nuki Web is unreachable.
OUTAGE_GRACE: Final = timedelta(minutes=2)

# Back-off after a 429 without Retry-After: doubles from the first to the last value.
RATE_LIMIT_BACKOFF_MIN: Final = 60.0
RATE_LIMIT_BACKOFF_MAX: Final = 900.0

# After an action (follow_ups.py): seconds between reads of the device list while the device
# has not moved or still moves, the most requests for one action's reads (the last one reads
# the log), and the longest passing state waited out in one step (lngTimeout goes up to 60 s).
FOLLOW_UP_STEP: Final = 1.0
FOLLOW_UP_REQUESTS: Final = 6
FOLLOW_UP_MAX_HOLD: Final = 60.0

# Reads of the device list after a write that moves nothing (a setting), seconds after it.
WRITE_FOLLOW_UP_DELAYS: Final = (2.0, 5.0, 10.0)

# Pauses between tries of an action that Nuki answers with 423 (device busy).
ACTION_RETRY_DELAYS: Final = (1.0, 2.0)

SMART_HOSTING_URL: Final = "https://nuki.io/en/smart-hosting/"

# How long before a Smart Hosting subscription ends its repair issue warns.
SMART_HOSTING_WARNING: Final = timedelta(days=14)
