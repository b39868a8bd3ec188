"""Decentral webhooks without Home Assistant: signature, strict JSON, events, replays, results."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

import pytest

from custom_components.nuki_web_api.api import (
    ActionResult,
    ActionResults,
    AuthPushed,
    DeviceDeleted,
    DeviceUpdate,
    LockState,
    LogPushed,
    NukiResultsClosedError,
    NukiWebhookError,
    PushedDevices,
    Smartlock,
    decode_body,
    older_than_shown,
    parse_webhook,
    verify_signature,
)

from .payloads import AUTH_KEYPAD, LOG_LOCK, SMARTLOCK_3_4

SECRET = "4f2e8a1c9b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"
DEVICE = SMARTLOCK_3_4["smartlockId"]


def body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def signed(data: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def status(state: int = 3, **fields: Any) -> dict[str, Any]:
    """A DEVICE_STATUS body in Nuki's documented shape (`fields` go into its state)."""
    return {
        "feature": "DEVICE_STATUS",
        "smartlockId": DEVICE,
        "state": {**SMARTLOCK_3_4["state"], "state": state, **fields},
        "serverState": 0,
        "adminPinState": 0,
    }


# --- signature -----------------------------------------------------------------------------


def test_signature() -> None:
    data = body(status())
    assert verify_signature(SECRET, data, signed(data))
    assert verify_signature(SECRET, data, f" {signed(data).upper()}\n")
    assert not verify_signature(SECRET, data, signed(data, "wrong"))
    assert not verify_signature(SECRET, data + b" ", signed(data))
    assert not verify_signature(SECRET, data, None)
    assert not verify_signature(SECRET, data, "")
    # A header that is not ASCII (raw bytes in the request, as aiohttp decodes them).
    for raw in (b"\xff\xfe\xfd", b"\xc3\x28" * 32, "\u00e9".encode("latin-1") * 64):
        assert not verify_signature(SECRET, data, raw.decode("utf-8", "surrogateescape"))


# --- strict decoding ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"\xff\xfe",
        b'{"batteryCharge": 1e400}',
        b'{"batteryCharge": -1e400}',
        b'{"state": Infinity}',
        b'{"state": NaN}',
        b'{"smartlockId": 9223372036854775808}',
        b"[" * 200 + b"]" * 200,
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["text", "bytes", "1e400", "-1e400", "Infinity", "NaN", "2^63", "depth-200", "depth-1e5"],
)
def test_absurd_bodies_are_refused(raw: bytes) -> None:
    with pytest.raises(NukiWebhookError):
        decode_body(raw)


def test_what_nuki_sends_decodes() -> None:
    nested = b'{"a": ' * 15 + b"1" + b"}" * 15  # 15 levels: within MAX_DEPTH
    assert decode_body(nested) is not None
    assert decode_body(b'{"n": 9223372036854775807, "f": 1.5}') == {
        "n": 9223372036854775807,
        "f": 1.5,
    }


# --- events ----------------------------------------------------------------------------------


def test_device_events() -> None:
    update = parse_webhook(body(status()))
    assert isinstance(update, DeviceUpdate)
    assert update.feature == "DEVICE_STATUS"
    assert update.smartlock_id == DEVICE
    assert set(update.changes) == {"state", "serverState", "adminPinState"}

    config = parse_webhook(
        body({"feature": "DEVICE_CONFIG", "smartlockId": DEVICE, "config": {}, "other": 1})
    )
    assert isinstance(config, DeviceUpdate)
    assert config.changes == {"config": {}}

    master = {"feature": "DEVICE_MASTERDATA", "deleted": False, "smartlockId": DEVICE}
    renamed = parse_webhook(body({**master, "name": "Main door"}))
    assert isinstance(renamed, DeviceUpdate)
    assert renamed.changes == {"smartlockId": DEVICE, "name": "Main door"}
    assert parse_webhook(body({**master, "deleted": True})) == DeviceDeleted(DEVICE)
    assert parse_webhook(body({"feature": "DEVICE_MASTERDATA", "deleted": True})) == (
        DeviceDeleted(None)
    )


def test_log_and_auth_events() -> None:
    log = parse_webhook(body({"feature": "DEVICE_LOGS", "smartlockLog": LOG_LOCK}))
    assert isinstance(log, LogPushed)
    assert log.entry.id == LOG_LOCK["id"]
    auth = parse_webhook(
        body({"feature": "DEVICE_AUTHS", "deleted": True, "smartlockAuth": AUTH_KEYPAD})
    )
    assert isinstance(auth, AuthPushed)
    assert auth.deleted
    assert auth.auth.id == AUTH_KEYPAD["id"]


def test_action_results() -> None:
    ok = parse_webhook(
        body({"type": "UnlockAction", "requestId": "r1", "smartlockId": DEVICE, "success": True})
    )
    assert ok == ActionResult("r1", success=True, smartlock_id=DEVICE, error_code=None)
    # Nuki's failure shape (nuki-web-api.md §3.4): the code in the first detail item.
    failed = parse_webhook(
        body(
            {
                "detail": [{"smartlockId": DEVICE, "success": False, "errorCode": "ff"}],
                "type": "AuthCreation",
                "requestId": "r2",
                "success": False,
            }
        )
    )
    assert failed == ActionResult("r2", success=False, smartlock_id=None, error_code=0xFF)
    odd = parse_webhook(body({"requestId": "r3", "success": "yes", "smartlockId": True}))
    assert odd == ActionResult("r3", success=False, smartlock_id=None, error_code=None)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"errorCode": "4F"}, 0x4F),
        ({"detail": [{"errorCode": "ff"}], "errorCode": None}, 0xFF),
        ({"errorCode": "zz", "detail": "x"}, None),
        ({"errorCode": "zz", "detail": ["x", {"errorCode": "45"}]}, 0x45),
        ({}, None),
    ],
)
def test_error_code(payload: dict[str, Any], code: int | None) -> None:
    result = parse_webhook(body({"requestId": "r", "success": False, **payload}))
    assert isinstance(result, ActionResult)
    assert result.error_code == code


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        "DEVICE_STATUS",
        {"feature": "ACCOUNT_USER", "id": 1},
        {"no": "feature"},
        {"requestId": 5, "success": True},
        {"requestId": "r"},
        {"feature": "DEVICE_STATUS", "state": {}},
        {"feature": "DEVICE_STATUS", "smartlockId": str(DEVICE), "state": {"state": 3}},
        {"feature": "DEVICE_STATUS", "smartlockId": DEVICE + 0.5, "state": {"state": 3}},
        {"feature": "DEVICE_STATUS", "smartlockId": True, "state": {"state": 3}},
        {"feature": "DEVICE_CONFIG", "config": {}},
        {"feature": "DEVICE_MASTERDATA", "deleted": False, "name": "x"},
        {"feature": "DEVICE_LOGS", "smartlockLog": "x"},
        {"feature": "DEVICE_LOGS"},
        {"feature": "DEVICE_AUTHS", "smartlockAuth": {"id": "a"}},
    ],
)
def test_unusable_bodies_raise(payload: Any) -> None:
    with pytest.raises(NukiWebhookError):
        parse_webhook(body(payload))


# --- replays and ordering -------------------------------------------------------------------


def test_older_than_shown() -> None:
    shown = {"updateDate": "2026-05-01T12:00:00.000Z"}
    assert older_than_shown({"updateDate": "2026-05-01T11:59:59Z"}, shown)
    assert not older_than_shown({"updateDate": "2026-05-01T12:00:00Z"}, shown)
    assert not older_than_shown({"updateDate": "2026-05-01T12:00:01+00:00"}, shown)
    # A date missing or unreadable on either side decides nothing.
    assert not older_than_shown({}, shown)
    assert not older_than_shown({"updateDate": "yesterday"}, shown)
    assert not older_than_shown({"updateDate": 5}, shown)
    assert not older_than_shown({"updateDate": "2026-05-01T11:00:00Z"}, {})
    # A date without an offset is UTC (never a comparison of naive with aware).
    assert older_than_shown({"updateDate": "2026-05-01T11:59:59"}, shown)


def test_pushed_fields_merge_like_a_poll() -> None:
    shown = Smartlock.from_json(SMARTLOCK_3_4)
    pushed = PushedDevices()
    update = parse_webhook(body(status(3)))
    assert isinstance(update, DeviceUpdate)
    merged = pushed.merge(update, shown)
    assert merged is not None
    assert not merged.repeated
    assert merged.device.lock_state is LockState.UNLOCKED
    assert merged.device.name == shown.name
    assert merged.device.raw == {**SMARTLOCK_3_4, **update.changes}


def test_a_push_that_changes_nothing_gives_nothing_but_is_remembered() -> None:
    shown = Smartlock.from_json(SMARTLOCK_3_4)
    pushed = PushedDevices()
    same = parse_webhook(body(status(1)))  # locked: what is shown
    assert isinstance(same, DeviceUpdate)
    assert pushed.merge(same, shown) is None
    unlocked = Smartlock.from_json({**SMARTLOCK_3_4, "state": status(3)["state"]})
    again = pushed.merge(same, unlocked)  # replayed after the device unlocked
    assert again is not None
    assert again.repeated


def test_a_repeated_body_is_flagged_and_memory_is_bounded() -> None:
    shown = Smartlock.from_json(SMARTLOCK_3_4)
    pushed = PushedDevices(memory=2)
    first = parse_webhook(body(status(3)))
    assert isinstance(first, DeviceUpdate)
    merged = pushed.merge(first, shown)
    assert merged is not None
    assert not merged.repeated
    repeated = pushed.merge(first, shown)
    assert repeated is not None
    assert repeated.repeated
    for battery in (50, 40):  # two other pushes push the first one out of memory
        other = parse_webhook(body(status(3, batteryCharge=battery)))
        assert isinstance(other, DeviceUpdate)
        pushed.merge(other, shown)
    forgotten = pushed.merge(first, shown)
    assert forgotten is not None
    assert not forgotten.repeated


def test_older_masterdata_is_ignored() -> None:
    shown = Smartlock.from_json({**SMARTLOCK_3_4, "updateDate": "2026-05-01T12:00:00Z"})
    master = {"feature": "DEVICE_MASTERDATA", "deleted": False, "smartlockId": DEVICE}
    old = parse_webhook(body({**master, "name": "Old", "updateDate": "2026-05-01T11:00:00Z"}))
    new = parse_webhook(body({**master, "name": "New", "updateDate": "2026-05-01T13:00:00Z"}))
    assert isinstance(old, DeviceUpdate)
    assert isinstance(new, DeviceUpdate)
    pushed = PushedDevices()
    assert pushed.merge(old, shown) is None
    merged = pushed.merge(new, shown)
    assert merged is not None
    assert merged.device.name == "New"


def test_a_merge_that_cannot_be_parsed_raises() -> None:
    shown = Smartlock.from_json(SMARTLOCK_3_4)
    bad = DeviceUpdate("DEVICE_MASTERDATA", DEVICE, {"type": "lock"})
    with pytest.raises(NukiWebhookError, match="DEVICE_MASTERDATA"):
        PushedDevices().merge(bad, shown)


# --- results of advanced calls --------------------------------------------------------------


def result(request_id: str, *, success: bool = True, device: int | None = None) -> ActionResult:
    return ActionResult(request_id, success=success, smartlock_id=device, error_code=None)


async def test_a_result_reaches_its_call() -> None:
    results = ActionResults()
    results.expect("r1")
    waiting = asyncio.create_task(results.wait("r1", DEVICE, 5))
    await asyncio.sleep(0)
    assert results.deliver(result("r1")) is None
    assert await waiting == result("r1")


async def test_a_result_may_come_before_the_answer() -> None:
    results = ActionResults(early=3)
    for n in range(5):
        assert results.deliver(result(f"r{n}")) is None
    results.expect("r4")
    assert await results.wait("r4", DEVICE, 5) == result("r4")
    results.expect("r0")  # pushed out: only the newest three unclaimed results are kept
    assert await results.wait("r0", DEVICE, 0.01) is None


async def test_a_late_result_is_handed_back_with_its_device() -> None:
    results = ActionResults(late=1)
    results.expect("r1")
    assert await results.wait("r1", DEVICE, 0.01) is None
    assert results.deliver(result("r1", success=False)) == (result("r1", success=False), DEVICE)
    assert results.deliver(result("r1")) is None  # once; then it counts as unclaimed
    for request_id in ("r2", "r3"):
        results.expect(request_id)
        assert await results.wait(request_id, DEVICE, 0.01) is None
    assert results.deliver(result("r2")) is None  # forgotten: only the newest late id stays
    assert results.deliver(result("r3")) == (result("r3"), DEVICE)


async def test_close_ends_every_wait() -> None:
    results = ActionResults()
    results.expect("r1")
    waiting = asyncio.create_task(results.wait("r1", DEVICE, 5))
    await asyncio.sleep(0)
    results.close()
    with pytest.raises(NukiResultsClosedError):
        await waiting
