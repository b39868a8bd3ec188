"""The simulator's responses validate against Nuki's own Swagger definitions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema  # type: ignore[import-untyped]
import pytest

from simulator.testing import SimulatorServer

from .conftest import FRONT_DOOR, OPENER, wait_for

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"


def _version(path: Path) -> tuple[int, ...]:
    match = re.search(r"swagger-([\d.]+)\.json$", path.name)
    return tuple(int(p) for p in match.group(1).split(".")) if match else ()


@pytest.fixture(scope="module")
def swagger() -> dict[str, Any]:
    """Return the newest Swagger file, with bounds stripped (Nuki's own bounds are wrong)."""
    files = sorted(REFERENCE.glob("nuki-web-api-swagger-*.json"), key=_version)
    if not files:
        pytest.skip(f"no Nuki Swagger file in {REFERENCE} (reference material not present)")
    spec: dict[str, Any] = json.loads(files[-1].read_text(encoding="utf-8"))
    stripped: dict[str, Any] = _strip_bounds(spec)
    return stripped


def _strip_bounds(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_bounds(v) for k, v in node.items() if k not in ("minimum", "maximum")}
    if isinstance(node, list):
        return [_strip_bounds(v) for v in node]
    return node


def _validator(
    swagger: dict[str, Any], name: str, *, relax_required: bool
) -> jsonschema.Draft4Validator:
    """Return a (Swagger 2.0 = draft 4) validator for one definition."""
    definitions = swagger["definitions"]
    if relax_required:  # items that only carry ids + `error` (the seed's Smart Hosting shape)
        definitions = {
            **definitions,
            name: {k: v for k, v in definitions[name].items() if k != "required"},
        }
    return jsonschema.Draft4Validator({"definitions": definitions, "$ref": f"#/definitions/{name}"})


def _validate(swagger: dict[str, Any], body: Any, name: str, *, many: bool = False) -> None:
    items = body if many else [body]
    assert items, f"nothing to validate for {name}"
    strict = _validator(swagger, name, relax_required=False)
    relaxed = _validator(swagger, name, relax_required=True)
    for item in items:
        (relaxed if "error" in item else strict).validate(item)


async def _get(api: aiohttp.ClientSession, path: str, **query: str) -> Any:
    async with api.get(path, params=query) as resp:
        assert resp.status == 200, path
        return await resp.json()


async def test_responses_match_swagger(
    swagger: dict[str, Any], sim: SimulatorServer, api: aiohttp.ClientSession
) -> None:
    # produce every log shape: web action, opener, door, keypad (ok and failed)
    sim.set_door(FRONT_DOOR, "ajar")
    sim.use_keypad(FRONT_DOOR, 111111)
    sim.ring(OPENER)
    async with api.post(f"/smartlock/{OPENER}/action", json={"action": 1}) as resp:
        assert resp.status == 204
    await wait_for(lambda: not sim.device(OPENER).busy)
    async with api.put(
        "/api/decentralWebhook",
        json={"webhookUrl": "https://example.com/hook", "webhookFeatures": ["DEVICE_STATUS"]},
    ) as resp:
        _validate(swagger, await resp.json(), "DecentralWebhook")

    smartlocks = await _get(api, "/smartlock")
    assert any("error" in s for s in smartlocks)
    _validate(swagger, smartlocks, "Smartlock", many=True)
    for item in smartlocks:
        if "error" not in item:
            _validate(swagger, await _get(api, f"/smartlock/{item['smartlockId']}"), "Smartlock")
    _validate(swagger, await _get(api, "/smartlock/log", limit="50"), "SmartlockLog", many=True)
    _validate(swagger, await _get(api, f"/smartlock/{FRONT_DOOR}/log"), "SmartlockLog", many=True)
    _validate(swagger, await _get(api, "/smartlock/auth"), "SmartlockAuth", many=True)
    _validate(swagger, await _get(api, f"/smartlock/{FRONT_DOOR}/auth"), "SmartlockAuth", many=True)
    _validate(swagger, await _get(api, "/account"), "MyAccount")
    _validate(swagger, await _get(api, "/api/decentralWebhook"), "DecentralWebhook", many=True)


def test_validation_catches_a_wrong_type(swagger: dict[str, Any]) -> None:
    bad = {"id": "x", "smartlockId": 1, "deviceType": 4, "name": "n", "action": "1", "trigger": 0,
           "state": 0, "autoUnlock": False, "date": "2026-01-01T00:00:00.000Z"}  # fmt: skip
    with pytest.raises(jsonschema.ValidationError):
        _validate(swagger, [bad], "SmartlockLog", many=True)
