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
# Push updates (options, bool) and their registration at Nuki (data: push.Registration).
CONF_PUSH: Final = "push"
CONF_PUSH_REGISTRATION: Final = "push_registration"

DEFAULT_SCAN_INTERVAL: Final = 30
MIN_SCAN_INTERVAL: Final = 10
MAX_SCAN_INTERVAL: Final = 3600

# Entries per page of GET /smartlock/log; a cycle reads older pages only to catch up
# (api.MAX_LOG_PAGES).
LOG_PAGE_SIZE: Final = 50

# How long entities keep their last state while Nuki Web is unreachable.
OUTAGE_GRACE: Final = timedelta(minutes=2)

SMART_HOSTING_URL: Final = "https://nuki.io/en/smart-hosting/"

# How long before a Smart Hosting subscription ends its repair issue warns.
SMART_HOSTING_WARNING: Final = timedelta(days=14)
