"""A local stand-in for Nuki's Web API (api.nuki.io), built on aiohttp.

Used by the client tests, the Home Assistant tests, the browser tests and `script/develop`.
See README.md in this folder for the CLI, the scenarios and the control endpoints.
"""

from __future__ import annotations

DEMO_TOKEN = "nuki-sim-demo-token"  # noqa: S105 - public demo value
"""The token of the demo scenario's account (full scopes, Advanced API)."""

SMART_HOSTING_MESSAGE = "No active Smart Hosting subscription for the Smart Lock, please get one!"
"""Nuki's text for a device without a Smart Hosting subscription (seed v1.5.0)."""

__all__ = ["DEMO_TOKEN", "SMART_HOSTING_MESSAGE"]
