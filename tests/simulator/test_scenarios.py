"""Scenario loading, the generator and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from simulator import DEMO_TOKEN
from simulator.__main__ import parse_args
from simulator.scenarios import generate, load, names
from simulator.testing import SimulatorServer

from .conftest import client


def test_demo_devices() -> None:
    demo = load("demo")
    devices = {d["name"]: d for d in demo["devices"]}
    assert {"Front door", "Building entrance", "Garden door", "Office", "Holiday flat"} <= set(
        devices
    )
    assert devices["Front door"]["type"] == 4
    assert devices["Front door"]["config"]["keypadPaired"] is True
    assert devices["Building entrance"]["type"] == 2
    assert devices["Garden door"]["type"] == 3
    assert (devices["Office"]["type"], devices["Office"]["config"]["productVariant"]) == (5, 3)
    assert devices["Holiday flat"]["_sim"]["smartHosting"] is False
    assert demo["tokens"][0]["token"] == DEMO_TOKEN
    anna = next(a for a in demo["auths"] if a["name"] == "Anna")
    assert (anna["type"], anna["code"]) == (13, 456789)
    assert "demo" in names()


def test_generate_500_quickly() -> None:
    scenario = generate(500)
    ids = [d["smartlockId"] for d in scenario["devices"]]
    assert len(set(ids)) == 500
    assert {d["type"] for d in scenario["devices"]} == {2, 3, 4, 5}
    assert sum(1 for d in scenario["devices"] if not d["_sim"]["smartHosting"]) == 50
    assert load("generated:3")["devices"][2]["name"] == "Device 003"
    with pytest.raises(ValueError, match="generated"):
        generate(501)


@pytest.mark.parametrize("scenario", ["demo", "generated:20"])
def test_ids_follow_nukis_rule(scenario: str) -> None:
    """smartlockId = type as the leading hex digit + the 8-hex-digit Nuki ID (seed: 0x3_20BE908C)."""
    for device in load(scenario)["devices"]:
        assert device["smartlockId"] >> 32 == device["type"], device["name"]


async def test_added_devices_get_ids_by_nukis_rule(sim: SimulatorServer) -> None:
    ids = {device_type: sim.add_device({"type": device_type}) for device_type in (0, 1, 2, 3, 4, 5)}
    for device_type, smartlock_id in ids.items():
        assert smartlock_id >> 32 == device_type
    assert len({smartlock_id & 0xFFFF_FFFF for smartlock_id in ids.values()}) == 6


def test_load_path_dict_and_unknown(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(generate(1)))
    assert len(load(path)["devices"]) == 1
    original = generate(2)
    copied = load(original)
    copied["devices"].clear()
    assert len(original["devices"]) == 2
    with pytest.raises(ValueError, match="unknown scenario"):
        load("nope")


async def test_generated_server_lists_500(socket_enabled: None) -> None:
    async with (
        SimulatorServer("generated:500") as sim,
        client(sim) as api,
        api.get("/smartlock") as resp,
    ):
        items = await resp.json()
    assert len(items) == 500
    assert sum(1 for i in items if "error" in i) == 50


async def test_dict_scenario_and_dynamic_devices(socket_enabled: None) -> None:
    scenario = {
        "accounts": [{"accountId": 1, "email": "a@example.com", "name": "A", "type": 0}],
        "tokens": [{"token": "t", "accountId": 1}],
        "devices": [{"smartlockId": 42, "type": 4, "name": "Only"}],
    }
    async with SimulatorServer(scenario) as sim, client(sim) as api:
        new_id = sim.add_device({"type": 2, "name": "Added"})
        async with api.get("/smartlock") as resp:
            assert [d["name"] for d in await resp.json()] == ["Only", "Added"]
        assert sim.device(new_id).state["state"] == 1
        sim.remove_device(42)
        async with api.get("/smartlock/42") as resp:
            assert resp.status == 404
        with pytest.raises(ValueError, match="exists"):
            sim.add_device({"smartlockId": new_id})


def test_cli_arguments() -> None:
    args = parse_args(
        ["--port", "9000", "--token", "a", "--token", "b", "--actuation-delay", "0.5"]
    )
    assert (args.port, args.tokens, args.actuation_delay, args.scenario) == (
        9000,
        ["a", "b"],
        0.5,
        "demo",
    )
    assert parse_args([]).tokens is None


async def test_token_never_in_state_dump(sim: SimulatorServer) -> None:
    async with aiohttp.ClientSession(base_url=sim.url) as raw, raw.get("/_sim/state") as resp:
        assert DEMO_TOKEN not in await resp.text()
