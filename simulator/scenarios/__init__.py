"""Scenario files (JSON) and a generator for large accounts."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .. import DEMO_TOKEN

SCENARIO_DIR = Path(__file__).parent
MAX_GENERATED = 500
_GENERATED_ACCOUNT = 700_000_001


def names() -> list[str]:
    """Return the names of the bundled scenarios."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


def load(scenario: str | Path | dict[str, Any]) -> dict[str, Any]:
    """Return a scenario dict from a bundled name, "generated:N", a JSON path or a dict."""
    if isinstance(scenario, dict):
        return copy.deepcopy(scenario)
    text = str(scenario)
    if text.startswith("generated:"):
        return generate(int(text.removeprefix("generated:")))
    path = SCENARIO_DIR / f"{text}.json" if text in names() else Path(text)
    if not path.is_file():
        raise ValueError(
            f"unknown scenario {text!r}; bundled: {names()}, or generated:N, or a path"
        )
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def generate(n: int) -> dict[str, Any]:
    """Return a scenario with `n` devices (cycling lock, Opener, Smart Door, Smart Lock 5) on one account.

    The devices are copies of the demo's hosted devices with new ids and names; every tenth one
    has no Smart Hosting. There are no auths or logs, so that big accounts stay cheap. Ids follow
    Nuki's rule: the type as a leading hex digit, then the 8-hex-digit Nuki ID.
    """
    if not 1 <= n <= MAX_GENERATED:
        raise ValueError(f"generated scenarios have 1..{MAX_GENERATED} devices")
    demo = load("demo")
    account = {**demo["accounts"][0], "accountId": _GENERATED_ACCOUNT, "name": "Generated account"}
    templates = demo["devices"][:4]
    devices = []
    for index in range(n):
        device = copy.deepcopy(templates[index % len(templates)])
        name = f"Device {index + 1:03d}"
        device.update(
            smartlockId=(device["type"] << 32) | (0x1000_0000 + index),
            accountId=_GENERATED_ACCOUNT,
            authId=5_000_000 + index,
            name=name,
        )
        device["config"]["name"] = name
        device["_sim"] = {**device.get("_sim", {}), "smartHosting": index % 10 != 9}
        devices.append(device)
    return {
        "description": f"{n} generated devices",
        "accounts": [account],
        "tokens": [
            {
                "token": DEMO_TOKEN,
                "accountId": _GENERATED_ACCOUNT,
                "userName": "Generated",
                "advancedApi": True,
            }
        ],
        "devices": devices,
        "auths": [],
        "logs": [],
    }
