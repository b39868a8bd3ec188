"""Nuki's decentral webhooks (Advanced API): signature, strict decoding, typed events, replays.

Nuki posts a signed JSON body per change (https://docs.nuki.io/guide/webhooks/type-device/):
``verify_signature`` checks it, ``parse_webhook`` turns it into one event, ``PushedDevices``
applies Nuki's replay and ordering rules to pushed device fields, ``ActionResults`` hands
the results of Advanced API calls (matched by ``requestId``) to the calls that wait for them,
and ``MissedPushes`` tells when pushes stopped coming. A caller maps the events to its own
state; nothing here keeps a device list.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final, NoReturn, cast

from .enums import LockState, OpenerState
from .errors import NukiInvalidResponseError, NukiResultsClosedError, NukiWebhookError
from .models import JsonObject, JsonValue, Smartlock, SmartlockAuth, SmartlockLog, parse_datetime

_LOGGER = logging.getLogger(__name__)

# The device features a registration asks for (ACCOUNT_USER is not used).
WEBHOOK_FEATURES: Final = (
    "DEVICE_STATUS",
    "DEVICE_MASTERDATA",
    "DEVICE_CONFIG",
    "DEVICE_LOGS",
    "DEVICE_AUTHS",
)
SIGNATURE_HEADER: Final = "X-Nuki-Signature-SHA256"

# Nuki's payloads are a few levels deep; a deeper one is not Nuki's.
MAX_DEPTH: Final = 16
# Nuki's ids are int64; a larger number is not Nuki's.
_MAX_INT: Final = 2**63

# Smartlock fields that DEVICE_STATUS / DEVICE_CONFIG replace.
_STATUS_KEYS: Final = ("state", "serverState", "adminPinState")
_CONFIG_KEYS: Final = (
    "config",
    "advancedConfig",
    "openerAdvancedConfig",
    "smartdoorAdvancedConfig",
    "webConfig",
)
# Keys of a DEVICE_MASTERDATA body that are not Smartlock fields.
_MASTERDATA_META: Final = ("feature", "deleted")


def verify_signature(secret: str, body: bytes, signature: str | None) -> bool:
    """Check the HMAC-SHA256 of the raw body (hex, any case) in constant time.

    A missing header, or one that is not ASCII text (raw bytes in the request), is invalid.
    """
    if signature is None:
        return False
    try:
        given = signature.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(given, expected.encode())


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number")


def _finite(text: str) -> float:
    if not math.isfinite(value := float(text)):
        raise ValueError("a number is out of range")
    return value


def _bounded(text: str) -> int:
    if abs(value := int(text)) >= _MAX_INT:
        raise ValueError("integer out of range")
    return value


def _too_deep(value: object) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def decode_body(body: bytes) -> JsonValue:
    """Decode a webhook body strictly: finite numbers, integers within int64, ≤ MAX_DEPTH levels.

    Raises NukiWebhookError for anything else (``json`` alone accepts ``NaN``, ``1e400``
    and nesting until the interpreter's recursion limit).
    """
    try:
        payload = json.loads(
            body, parse_float=_finite, parse_int=_bounded, parse_constant=_no_constant
        )
    except RecursionError as err:
        raise NukiWebhookError("not usable JSON: nested too deeply") from err
    except ValueError as err:  # JSONDecodeError, UnicodeDecodeError and the checks above
        raise NukiWebhookError(f"not usable JSON: {err}") from err
    if _too_deep(payload):
        raise NukiWebhookError("not usable JSON: nested too deeply")
    return cast(JsonValue, payload)


@dataclass(frozen=True, slots=True)
class DeviceUpdate:
    """DEVICE_STATUS, DEVICE_CONFIG or DEVICE_MASTERDATA: Smartlock fields that replace the device's."""

    feature: str
    smartlock_id: int
    changes: JsonObject


@dataclass(frozen=True, slots=True)
class DeviceDeleted:
    """DEVICE_MASTERDATA with ``deleted``: the device left the account (id if Nuki sent one)."""

    smartlock_id: int | None


@dataclass(frozen=True, slots=True)
class LogPushed:
    """DEVICE_LOGS: a new activity log entry."""

    entry: SmartlockLog


@dataclass(frozen=True, slots=True)
class AuthPushed:
    """DEVICE_AUTHS: an authorization was created or changed, or ``deleted``."""

    auth: SmartlockAuth
    deleted: bool


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The result of an Advanced API call (``requestId``), posted when the device answered.

    ``error_code`` is the device error code of a failure (hex in Nuki's body, e.g. "4f";
    https://docs.nuki.io/guide/endpoints/error-codes/), from the body or its first detail item.
    """

    request_id: str
    success: bool
    smartlock_id: int | None
    error_code: int | None


type WebhookEvent = DeviceUpdate | DeviceDeleted | LogPushed | AuthPushed | ActionResult


def parse_webhook(body: bytes) -> WebhookEvent:
    """Decode a (verified) webhook body into its event; NukiWebhookError if it is not usable."""
    payload = decode_body(body)
    if not isinstance(payload, dict):
        raise NukiWebhookError("not a JSON object")
    feature = payload.get("feature")
    try:
        match feature:
            case "DEVICE_STATUS":
                return _update(feature, payload, _STATUS_KEYS)
            case "DEVICE_CONFIG":
                return _update(feature, payload, _CONFIG_KEYS)
            case "DEVICE_MASTERDATA":
                if payload.get("deleted"):
                    return DeviceDeleted(_optional_int(payload.get("smartlockId")))
                changes = {k: v for k, v in payload.items() if k not in _MASTERDATA_META}
                return DeviceUpdate(feature, _smartlock_id(payload), changes)
            case "DEVICE_LOGS":
                return LogPushed(SmartlockLog.from_json(payload.get("smartlockLog")))
            case "DEVICE_AUTHS":
                return AuthPushed(
                    SmartlockAuth.from_json(payload.get("smartlockAuth")),
                    bool(payload.get("deleted")),
                )
    except NukiInvalidResponseError as err:
        raise NukiWebhookError(f"a malformed {feature} body: {err}") from err
    request_id = payload.get("requestId")
    if isinstance(request_id, str) and "success" in payload:
        return ActionResult(
            request_id=request_id,
            success=payload["success"] is True,
            smartlock_id=_optional_int(payload.get("smartlockId")),
            error_code=_error_code(payload),
        )
    raise NukiWebhookError(f"an unknown feature {str(feature)[:40]!r}")


def _optional_int(value: JsonValue) -> int | None:
    """Return a JSON integer as it is, anything else (also a bool or "123") as None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _smartlock_id(payload: JsonObject) -> int:
    """Return the body's smartlockId: a JSON integer, nothing that merely converts to one."""
    if (value := _optional_int(payload.get("smartlockId"))) is None:
        raise NukiInvalidResponseError("smartlockId is not an integer")
    return value


def _update(feature: str, payload: JsonObject, keys: tuple[str, ...]) -> DeviceUpdate:
    return DeviceUpdate(
        feature, _smartlock_id(payload), {k: payload[k] for k in keys if k in payload}
    )


def _error_code(payload: JsonObject) -> int | None:
    """Return the device error code of a failed result (top level or first detail item)."""
    detail = payload.get("detail")
    codes = [payload.get("errorCode")]
    if isinstance(detail, list):
        codes += [item.get("errorCode") for item in detail if isinstance(item, dict)]
    for code in codes:
        if isinstance(code, str):
            try:
                return int(code, 16)
            except ValueError:
                continue
    return None


def older_than_shown(pushed: Mapping[str, object], shown: Mapping[str, object]) -> bool:
    """Whether a pushed object's Nuki ``updateDate`` is older than the shown one's."""
    pushed_at = parse_datetime(pushed.get("updateDate"))
    shown_at = parse_datetime(shown.get("updateDate"))
    return pushed_at is not None and shown_at is not None and pushed_at < shown_at


@dataclass(frozen=True, slots=True)
class MergedDevice:
    """A device with pushed fields merged in; ``repeated``: that body was received before."""

    device: Smartlock
    repeated: bool


class PushedDevices:
    """Nuki's ordering and replay rules for pushed device fields.

    DEVICE_MASTERDATA carries ``updateDate``: one older than the device shown is stale.
    DEVICE_STATUS and DEVICE_CONFIG carry no date: a body received before (the last
    ``memory`` device pushes are remembered by digest) may be a replay or a late
    re-delivery, or the same change once more; ``repeated`` tells the caller to read the
    device rather than take the push's word for it.
    """

    def __init__(self, memory: int = 256) -> None:
        """Remember the digests of the last ``memory`` device pushes."""
        self._memory = memory
        self._received: OrderedDict[bytes, None] = OrderedDict()

    def merge(self, update: DeviceUpdate, shown: Smartlock) -> MergedDevice | None:
        """Merge ``update`` into the device shown and parse it as a poll would.

        None when the push is older than the device's data or changes nothing. Raises
        NukiWebhookError when the merged device cannot be parsed.
        """
        if older_than_shown(update.changes, shown.raw):
            _LOGGER.debug("Ignored a push for %s older than its data", update.smartlock_id)
            return None
        digest = hashlib.sha256(
            json.dumps([update.smartlock_id, update.changes], sort_keys=True).encode()
        ).digest()
        repeated = digest in self._received
        self._received[digest] = None
        self._received.move_to_end(digest)
        while len(self._received) > self._memory:
            self._received.popitem(last=False)
        merged = {**shown.raw, **update.changes}
        if merged == shown.raw:
            return None
        try:
            return MergedDevice(Smartlock.from_json(merged), repeated)
        except NukiInvalidResponseError as err:
            raise NukiWebhookError(f"a malformed {update.feature} body: {err}") from err


class ActionResults:
    """Hands the results of Advanced API calls to the calls that wait for them.

    A call registers its ``requestId`` with ``expect`` as soon as Nuki answers, then
    ``wait``s. A result may arrive before that answer (the newest ``early`` are kept) or
    after the call stopped waiting (``deliver`` returns it then, with the call's device, so
    that a failure can still be reported; the newest ``late`` ids are remembered). ``close``
    ends every wait.
    """

    def __init__(self, *, early: int = 20, late: int = 20) -> None:
        """Keep at most ``early`` unclaimed results and ``late`` ids of ended waits."""
        self._early_max = early
        self._late_max = late
        self._waiters: dict[str, asyncio.Future[ActionResult | None]] = {}
        self._early: OrderedDict[str, ActionResult] = OrderedDict()
        self._late: OrderedDict[str, int] = OrderedDict()  # requestId -> smartlockId

    def expect(self, request_id: str) -> None:
        """Register for the result of an accepted call (it may have arrived already)."""
        future: asyncio.Future[ActionResult | None] = asyncio.get_running_loop().create_future()
        if (early := self._early.pop(request_id, None)) is not None:
            future.set_result(early)
        self._waiters[request_id] = future

    async def wait(
        self,
        request_id: str,
        smartlock_id: int,
        timeout: float,  # noqa: ASYNC109 - a result after it is a late one (see deliver)
    ) -> ActionResult | None:
        """Wait at most ``timeout`` seconds for an expected result; None if none came.

        Raises NukiResultsClosedError when ``close`` ended the wait.
        """
        future = self._waiters[request_id]
        try:
            async with asyncio.timeout(timeout):
                result = await future
        except TimeoutError:
            self._late[request_id] = smartlock_id
            while len(self._late) > self._late_max:
                self._late.popitem(last=False)
            return None
        finally:
            del self._waiters[request_id]
        if result is None:
            raise NukiResultsClosedError(f"stopped waiting for the result of {request_id}")
        return result

    def deliver(self, result: ActionResult) -> tuple[ActionResult, int] | None:
        """Hand a result to its call; if that call had stopped waiting, return it with its device."""
        future = self._waiters.get(result.request_id)
        if future is not None and not future.done():
            future.set_result(result)
        elif (smartlock_id := self._late.pop(result.request_id, None)) is not None:
            return result, smartlock_id
        else:
            self._early[result.request_id] = result
            while len(self._early) > self._early_max:
                self._early.popitem(last=False)
        return None

    def close(self) -> None:
        """End every wait (with NukiResultsClosedError, never CancelledError)."""
        for future in self._waiters.values():
            if not future.done():
                future.set_result(None)


class MissedPushes:
    """Changes a poll found that push has not delivered: push is broken once one is overdue.

    A lock state change and a new log entry that a poll finds must arrive by push within
    ``grace`` seconds. A push that repeated an earlier body was not applied (the caller read
    the device instead): the state it ``announced`` counts as delivered.
    """

    def __init__(self, grace: float) -> None:
        """Wait ``grace`` seconds for each change."""
        self._grace = grace
        self._waiting: dict[str, datetime] = {}  # "state:<id>" / "log:<id>" -> found at
        self._announced: dict[int, tuple[LockState | OpenerState | None, datetime]] = {}

    def state_pushed(self, smartlock_id: int) -> None:
        """Note that a device's state arrived by push."""
        self._waiting.pop(f"state:{smartlock_id}", None)

    def log_pushed(self, log_id: str) -> None:
        """Note that a log entry arrived by push."""
        self._waiting.pop(f"log:{log_id}", None)

    def announced(self, device: Smartlock, now: datetime) -> None:
        """Note the state of a repeated push, which a read checks instead."""
        self._announced[device.smartlock_id] = (device.lock_state, now)

    def polled(
        self,
        before: Mapping[int, Smartlock],
        after: Mapping[int, Smartlock],
        new_logs: Iterable[SmartlockLog],
        now: datetime,
    ) -> None:
        """Expect by push what a poll found: new log entries and changed lock states."""
        for entry in new_logs:
            self._waiting.setdefault(f"log:{entry.id}", now)
        for smartlock_id, device in after.items():
            old = before.get(smartlock_id)
            if (
                old is not None
                and old.lock_state != device.lock_state
                and not self._was_announced(device, now)
            ):
                self._waiting.setdefault(f"state:{smartlock_id}", now)

    def _was_announced(self, device: Smartlock, now: datetime) -> bool:
        announced = self._announced.pop(device.smartlock_id, None)
        return (
            announced is not None
            and announced[0] == device.lock_state
            and (now - announced[1]).total_seconds() < self._grace
        )

    def overdue_in(self, now: datetime) -> float | None:
        """Return the seconds until the oldest change is overdue (<= 0: now); None: none waits."""
        if not self._waiting:
            return None
        return self._grace - (now - min(self._waiting.values())).total_seconds()

    def clear(self) -> None:
        """Expect nothing (push stopped)."""
        self._waiting.clear()
