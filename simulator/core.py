"""The simulated Nuki cloud in memory: accounts, tokens, devices (state machines), auths, logs."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .errors import (
    SMART_HOSTING_BODIES,
    ApiError,
    locked,
    not_found,
    not_valid,
    smart_hosting_error,
)
from .faults import Faults
from .validation import KEYPAD_CODE_AUTH

type Json = dict[str, Any]
type Listener = Callable[[int, str, Json], None]

ALL_SCOPES = frozenset(
    {
        "account",
        "notification",
        "smartlock",
        "smartlock.readOnly",
        "smartlock.action",
        "smartlock.auth",
        "smartlock.config",
        "smartlock.log",
        "smartlock.create",
        "webhook.decentral",
    }
)

BOX = 1
OPENER = 2
SMARTDOOR = 3
# Lock states (Smartlock.State.state, type 0/3/4/5).
LOCKED, UNLOCKING, UNLOCKED, LOCKING, UNLATCHED, UNLOCKED_LNG, UNLATCHING = 1, 2, 3, 4, 5, 6, 7
# Opener states (type 2) and modes.
ONLINE, RTO_ACTIVE, OPEN, OPENING = 1, 3, 5, 7
MODE_DOOR, MODE_CONTINUOUS = 2, 3
DOOR_CLOSED, DOOR_OPENED = 2, 3
# Log actions / triggers / states.
LOG_AJAR, LOG_RING, LOG_DOOR_OPENED, LOG_DOOR_CLOSED = 208, 224, 240, 241
TRIGGER_SYSTEM, TRIGGER_BUTTON, TRIGGER_WEB, TRIGGER_KEYPAD = 0, 2, 4, 255
INVALID_CODE = 224
SOURCE_DEFAULT, SOURCE_KEYPAD = 0, 1
OPENER_SOURCE = {TRIGGER_WEB: 2, TRIGGER_BUTTON: 3, TRIGGER_KEYPAD: 6, TRIGGER_SYSTEM: 0}


def iso(ts: float) -> str:
    """Format a timestamp like Nuki: ISO-8601 with milliseconds and Z."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float:
    """Parse an RFC 3339 date (Z or offset) to a timestamp; 400 if it is not one."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise not_valid(text, "date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


_oid_counter = itertools.count(1)


# Nuki keeps at most 20 characters of a keypad code's name, although the Swagger allows 32
# for every authorization: "PIN_NAME (string; up to 20 characters)",
# https://developer.nuki.io/t/web-api-example-manage-pin-codes-for-your-nuki-keypad/54 (the
# Smart Lock's Bluetooth API has a 20-byte name field for keypad codes too).
KEYPAD_NAME_LENGTH = 20


def keypad_name(fields: Json, auth_type: Any) -> Json:
    """Return create/update fields with a keypad code's name cut to what Nuki keeps."""
    name = fields.get("name")
    if auth_type == KEYPAD_CODE_AUTH and isinstance(name, str):
        return {**fields, "name": name[:KEYPAD_NAME_LENGTH]}
    return fields


def object_id(ts: float) -> str:
    """Return a 24-hex MongoDB-style ObjectId: seconds, then a process-wide counter."""
    return f"{int(ts):08x}{next(_oid_counter):016x}"


@dataclass(frozen=True)
class Token:
    """An API token: whose it is and what it may do."""

    value: str
    account_id: int
    account_user_id: int
    user_name: str
    scopes: frozenset[str] = ALL_SCOPES
    advanced_api: bool = False


@dataclass(frozen=True)
class Actor:
    """Who caused an action, as written into the log."""

    name: str
    trigger: int
    auth_id: str | None = None
    account_user_id: int | None = None
    source: int = SOURCE_DEFAULT


@dataclass(eq=False)
class Device:
    """One device: its Smartlock JSON plus simulator-only facts."""

    data: Json
    no_subscription: bool = False
    keypad: bool = False
    door_sensor: bool = False
    battery: float = 100.0
    busy: bool = False
    generation: int = 0  # counts actions, so that stale follow-up steps stop

    @property
    def id(self) -> int:
        """Return the smartlockId."""
        return int(self.data["smartlockId"])

    @property
    def type(self) -> int:
        """Return the device type."""
        return int(self.data["type"])

    @property
    def account_id(self) -> int:
        """Return the owning account."""
        return int(self.data["accountId"])

    @property
    def state(self) -> Json:
        """Return the mutable state object."""
        state: Json = self.data.setdefault("state", {})
        return state

    def set_subscription(self, active: bool) -> None:
        """Set the Smart Hosting flag and the subscription object that mirrors it."""
        self.no_subscription = not active
        sub = self.data.setdefault(
            "currentSubscription",
            {"type": "B2C", "shsSubscriptionType": "STANDARD", "creationDate": iso(time.time())},
        )
        sub["state"] = "ACTIVE" if active else "INACTIVE"


@dataclass
class Simulator:
    """Everything the fake server knows; handlers and tests both work on this object."""

    accounts: dict[int, Json] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    devices: dict[int, Device] = field(default_factory=dict)
    auths: dict[str, Json] = field(default_factory=dict)
    logs: list[Json] = field(default_factory=list)
    webhooks: dict[int, Json] = field(default_factory=dict)
    # Device error code (hex, "45", "4f", "ff") that the next advanced action result reports.
    advanced_errors: dict[int, str] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    actuation_delay: float = 2.0
    # Multiplies the holds of passing states taken from the device settings (tests shorten them).
    hold_scale: float = 1.0
    smart_hosting_status: int = 402
    # The key of the Smart Hosting error body: "detailMessage" (seed) or "error" (docs.nuki.io).
    smart_hosting_body: str = "detailMessage"
    busy_conflicts: bool = True
    battery_drain: float = 0.5
    counters: Counter[str] = field(default_factory=Counter)
    in_flight: Counter[str] = field(default_factory=Counter)
    max_in_flight: Counter[str] = field(default_factory=Counter)
    listeners: list[Listener] = field(default_factory=list)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    _pending_auths: set[str] = field(default_factory=set)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _auth_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7_000_001))

    # ---- plumbing -------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run `coro` in the background; close() cancels whatever is still running."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def later(self, delay: float, fn: Callable[[], None]) -> None:
        """Call `fn` after `delay` seconds."""

        async def run() -> None:
            await asyncio.sleep(delay)
            fn()

        self.spawn(run())

    async def pause(self, seconds: float) -> None:
        """Sleep in a request handler; returns early when the server shuts down."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.closing.wait(), seconds)

    async def close(self) -> None:
        """Wake paused handlers and cancel background work (actuations, deliveries)."""
        self.closing.set()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def emit(self, account_id: int, feature: str, payload: Json) -> None:
        """Tell listeners (the webhook sender) about a change."""
        for listener in self.listeners:
            listener(account_id, feature, payload)

    # ---- lookups --------------------------------------------------------------------------

    def token(self, value: str | None) -> Token | None:
        """Return the token record for a bearer value."""
        return self.tokens.get(value) if value else None

    def device(self, token: Token, smartlock_id: int | str, *, hosted: bool = True) -> Device:
        """Return the token's device or raise 404; with `hosted`, raise the Smart Hosting error."""
        try:
            dev = self.devices[int(smartlock_id)]
        except KeyError, ValueError:
            raise not_found() from None
        if dev.account_id != token.account_id:
            raise not_found()
        if hosted and dev.no_subscription:
            raise self.smart_hosting_error()
        return dev

    def smart_hosting_error(self) -> ApiError:
        """Return the Smart Hosting error with the configured status and body style."""
        return smart_hosting_error(self.smart_hosting_status, self.smart_hosting_body)

    def set_smart_hosting_body(self, key: str) -> None:
        """Choose the key of the Smart Hosting error body; ValueError for another."""
        if key not in SMART_HOSTING_BODIES:
            raise ValueError(f"smart_hosting_body must be one of {sorted(SMART_HOSTING_BODIES)}")
        self.smart_hosting_body = key

    def account_devices(self, token: Token) -> list[Device]:
        """Return the token's devices, ordered by id."""
        return sorted(
            (d for d in self.devices.values() if d.account_id == token.account_id),
            key=lambda d: d.id,
        )

    def require_idle(self, dev: Device) -> None:
        """Answer 423 while the device runs an operation (if enabled)."""
        if self.busy_conflicts and dev.busy:
            raise locked("The smartlock is locked for another operation")

    # ---- devices --------------------------------------------------------------------------

    def add_device(self, data: Json, *, hosted: bool = True) -> Device:
        """Add a device (scenario load or dynamic); fills the fields Nuki always sends."""
        data = copy.deepcopy(data)
        sim: Json = data.pop("_sim", {})
        if "accountId" not in data:
            data["accountId"] = next(iter(self.accounts)) if self.accounts else 1
        data.setdefault("type", 4)
        if "smartlockId" not in data:
            data["smartlockId"] = self._new_smartlock_id(int(data["type"]))
        now = iso(time.time())
        for key, value in (
            ("authId", next(self._auth_ids)),
            ("name", f"Nuki {data['smartlockId']}"),
            ("favorite", False),
            ("serverState", 0),
            ("adminPinState", 0),
            ("virtualDevice", False),
            ("creationDate", now),
            ("updateDate", now),
        ):
            data.setdefault(key, value)
        state = data.setdefault("state", {})
        opener = data["type"] == OPENER
        for key, value in (
            ("mode", MODE_DOOR),
            ("state", ONLINE if opener else LOCKED),
            ("trigger", TRIGGER_SYSTEM),
            ("lastAction", 2),
            ("batteryCritical", False),
            ("doorState", 0 if opener else DOOR_CLOSED),
            ("ringToOpenTimer", 0),
            ("nightMode", False),
        ):
            state.setdefault(key, value)
        dev = Device(
            data=data,
            keypad=bool(sim.get("keypad", data.get("config", {}).get("keypadPaired", False))),
            door_sensor=bool(sim.get("doorSensor", state["doorState"] not in (0, 1))),
            battery=float(state.get("batteryCharge", 100)),
        )
        if dev.id in self.devices:
            raise ValueError(f"device {dev.id} exists")
        dev.set_subscription(bool(sim.get("smartHosting", hosted)))
        self.devices[dev.id] = dev
        return dev

    def _new_smartlock_id(self, device_type: int) -> int:
        """Return a new id as Nuki makes them: the type as a hex digit, then an 8-digit Nuki ID.

        (13434261644 = 0x3_20BE908C in the seed: a Smart Door; type 0 has no leading digit.)
        """
        nuki_id = (max((i & 0xFFFF_FFFF for i in self.devices), default=0x1000_0000) + 1) & (
            0xFFFF_FFFF
        )
        return (device_type << 32) | nuki_id

    def remove_device(self, smartlock_id: int) -> None:
        """Remove a device with its auths (its logs stay, as on Nuki's server)."""
        if self.devices.pop(smartlock_id, None) is None:
            raise not_found()
        for auth_id in [k for k, a in self.auths.items() if a["smartlockId"] == smartlock_id]:
            del self.auths[auth_id]

    def _status_changed(self, dev: Device) -> None:
        # Nuki's DEVICE_STATUS has no date, sequence number or nonce: only these fields
        # (docs.nuki.io/guide/webhooks/type-device/, example payload).
        dev.data["updateDate"] = iso(time.time())
        self.emit(
            dev.account_id,
            "DEVICE_STATUS",
            {
                "feature": "DEVICE_STATUS",
                "smartlockId": dev.id,
                "state": copy.deepcopy(dev.state),
                "serverState": dev.data["serverState"],
                "adminPinState": dev.data["adminPinState"],
            },
        )

    def masterdata_changed(self, dev: Device) -> None:
        """Announce changed master data (name, favorite) as Nuki does, with the update date.

        The fields are those of the DEVICE_MASTERDATA body in Nuki's webhook log example
        (docs.nuki.io/guide/webhooks/monitoring/).
        """
        dev.data["updateDate"] = iso(time.time())
        keys = (
            "smartlockId",
            "accountId",
            "type",
            "authId",
            "name",
            "favorite",
            "firmwareVersion",
            "hardwareVersion",
            "serverState",
            "adminPinState",
            "creationDate",
            "updateDate",
        )
        payload: Json = {"feature": "DEVICE_MASTERDATA", "deleted": False}
        payload.update({key: dev.data[key] for key in keys if key in dev.data})
        self.emit(dev.account_id, "DEVICE_MASTERDATA", payload)

    def _drain(self, dev: Device) -> None:
        if "batteryCharge" not in dev.state:
            return
        dev.battery = max(0.0, dev.battery - self.battery_drain)
        dev.state["batteryCharge"] = round(dev.battery)
        dev.state["batteryCritical"] = dev.state["batteryCharge"] < 20

    def add_log(
        self, dev: Device, action: int, actor: Actor, *, state: int = 0, **extra: Any
    ) -> Json:
        """Append a SmartlockLog entry (newest last internally) and announce it."""
        now = time.time()
        entry: Json = {
            "id": object_id(now),
            "smartlockId": dev.id,
            "deviceType": dev.type,
            "name": actor.name,
            "action": action,
            "trigger": actor.trigger,
            "state": state,
            "autoUnlock": False,
            "date": iso(now),
            "source": actor.source,
        }
        if actor.auth_id is not None:
            entry["authId"] = actor.auth_id
        if actor.account_user_id is not None:
            entry["accountUserId"] = actor.account_user_id
        if dev.type == OPENER:
            entry["openerLog"] = {
                "activeCm": dev.state["mode"] == MODE_CONTINUOUS,
                "activeRto": dev.state["state"] == RTO_ACTIVE,
                "source": OPENER_SOURCE.get(actor.trigger, 0),
                "flagGeoFence": False,
                "flagForce": False,
                "flagDoorbellSuppression": False,
            }
        entry.update(extra)
        self.logs.append(entry)
        self.emit(dev.account_id, "DEVICE_LOGS", {"feature": "DEVICE_LOGS", "smartlockLog": entry})
        return entry

    # ---- actions (state machine) ------------------------------------------------------------

    def check_action(self, dev: Device, action: int) -> None:
        """Raise 400 for an action code the device type does not know.

        A Box knows only 1 (unlock): Swagger 4.20.0, SmartlockAction.action "type=1: 1 .. unlock".
        """
        allowed = {BOX: {1}, OPENER: {1, 2, 3, 6, 7}}.get(dev.type, {1, 2, 3, 4, 5})
        if action not in allowed:
            raise not_valid(action, "action")

    def start_action(
        self, dev: Device, action: int, actor: Actor, on_done: Callable[[bool], None] | None = None
    ) -> None:
        """Accept an action now; run its transitions in the background."""
        self.check_action(dev, action)
        self.require_idle(dev)
        dev.busy = True
        dev.generation += 1
        dev.state["operationId"] = uuid.uuid4().hex[:24]
        self.spawn(self._actuate(dev, action, actor, on_done))

    async def _actuate(
        self, dev: Device, action: int, actor: Actor, on_done: Callable[[bool], None] | None
    ) -> None:
        delay = self.actuation_delay
        state = dev.state
        offline = dev.data.get("serverState") == 4
        try:
            if offline:
                await asyncio.sleep(delay)
                return
            state["lastAction"] = action if action <= 5 else state["lastAction"]
            state["trigger"] = TRIGGER_BUTTON if actor.trigger == TRIGGER_BUTTON else TRIGGER_SYSTEM
            if dev.type == OPENER:
                await self._actuate_opener(dev, action, actor, delay)
            else:
                await self._actuate_lock(dev, action, actor, delay)
        finally:
            dev.busy = False
            state.pop("operationId", None)
            if on_done is not None:
                on_done(not offline)
        if not offline:
            await self._after(dev, action, delay, dev.generation)

    async def _step(self, dev: Device, value: int, delay: float) -> None:
        dev.state["state"] = value
        self._status_changed(dev)
        await asyncio.sleep(delay)

    async def _actuate_lock(self, dev: Device, action: int, actor: Actor, delay: float) -> None:
        transitional, settled = {
            1: (UNLOCKING, UNLOCKED),
            2: (LOCKING, LOCKED),
            3: (UNLATCHING, UNLATCHED),
            4: (UNLOCKING, UNLOCKED_LNG),
            5: (UNLATCHING, UNLATCHED),
        }[action]
        await self._step(dev, transitional, delay)
        dev.state["state"] = settled
        self._drain(dev)
        self.add_log(dev, action, actor)
        self._status_changed(dev)

    def hold(self, dev: Device, setting: str, delay: float) -> float:
        """Return how long the device holds a passing state, from its settings, times hold_scale.

        Swagger 4.20.0: `unlatchDuration` "Duration in seconds for holding the latch in unlatched
        position" and `lngTimeout` "Timeout in seconds for lock 'n' go" (advancedConfig, for a
        Smart Door smartdoorAdvancedConfig); the Opener's `electricStrikeDuration` "Duration in ms
        of electric strike actuation". A device without the setting holds for twice the delay.
        """
        if dev.type == OPENER:
            config, scale = dev.data.get("openerAdvancedConfig"), 0.001
        else:
            key = "smartdoorAdvancedConfig" if dev.type == SMARTDOOR else "advancedConfig"
            config, scale = dev.data.get(key), 1.0
        value = config.get(setting) if isinstance(config, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return 2 * delay
        return float(value) * scale * self.hold_scale

    async def _after(self, dev: Device, action: int, delay: float, generation: int) -> None:
        """Settle the passing states (unlatched -> unlocked, lock 'n' go -> locked, opened -> idle).

        The holds follow the device's settings (see `hold`). A newer action on the device
        (another generation) cancels the remaining steps.
        """
        steps: list[tuple[float, int | None]] = []
        if dev.type == OPENER:
            steps = [(self.hold(dev, "electricStrikeDuration", delay), None)] if action == 3 else []
        elif action == 3:
            steps = [(self.hold(dev, "unlatchDuration", delay), UNLOCKED)]
        elif action == 4:
            steps = [(self.hold(dev, "lngTimeout", delay), LOCKING), (delay, LOCKED)]
        elif action == 5:
            steps = [
                (self.hold(dev, "unlatchDuration", delay), UNLOCKED_LNG),
                (self.hold(dev, "lngTimeout", delay), LOCKING),
                (delay, LOCKED),
            ]
        for wait, value in steps:
            await asyncio.sleep(wait)
            if dev.generation != generation:
                return
            # None = Opener: back to ring to open in continuous mode, else online
            idle = RTO_ACTIVE if dev.state["mode"] == MODE_CONTINUOUS else ONLINE
            dev.state["state"] = idle if value is None else value
            self._status_changed(dev)

    async def _actuate_opener(self, dev: Device, action: int, actor: Actor, delay: float) -> None:
        state = dev.state
        if action == 3:
            await self._step(dev, OPENING, delay)
            state["state"] = OPEN
        else:
            await asyncio.sleep(delay)
            if action == 1:
                state["state"] = RTO_ACTIVE
            elif action == 2:
                state["state"] = ONLINE
            elif action == 6:
                state["mode"] = MODE_CONTINUOUS
                state["trigger"] = 6
            else:
                state["mode"] = MODE_DOOR
        self._drain(dev)
        self.add_log(dev, action, actor)
        self._status_changed(dev)

    # ---- physical events (control endpoints) ---------------------------------------------------

    def press_button(self, smartlock_id: int) -> None:
        """Press the device button: a lock toggles, an Opener opens."""
        dev = self.any_device(smartlock_id)
        if dev.type == OPENER:
            action = 3
        else:
            action = 2 if dev.state["state"] in (UNLOCKED, UNLATCHED, UNLOCKED_LNG) else 1
        self.start_action(dev, action, Actor("Button", TRIGGER_BUTTON))

    def set_door(self, smartlock_id: int, door: str, ajar_timeout: int = 5) -> None:
        """Open, close or hold open ('ajar') the door; needs a door sensor."""
        dev = self.any_device(smartlock_id)
        if not dev.door_sensor:
            raise not_valid(smartlock_id, "smartlockId")
        actor = Actor("", TRIGGER_SYSTEM)
        if door == "open":
            dev.state["doorState"] = DOOR_OPENED
            self.add_log(dev, LOG_DOOR_OPENED, actor)
        elif door == "closed":
            dev.state["doorState"] = DOOR_CLOSED
            self.add_log(dev, LOG_DOOR_CLOSED, actor)
        elif door == "ajar":
            dev.state["doorState"] = DOOR_OPENED
            self.add_log(dev, LOG_AJAR, actor, ajarTimeout=ajar_timeout)
        else:
            raise not_valid(door, "door")
        self._status_changed(dev)

    def ring(self, smartlock_id: int) -> None:
        """Ring the bell at an Opener; with ring to open active it opens the door."""
        dev = self.any_device(smartlock_id)
        if dev.type != OPENER:
            raise not_valid(smartlock_id, "smartlockId")
        self.add_log(dev, LOG_RING, Actor("Doorbell", TRIGGER_SYSTEM))
        rto = dev.state["state"] == RTO_ACTIVE or dev.state["mode"] == MODE_CONTINUOUS
        if rto and not dev.busy:
            self.start_action(dev, 3, Actor("Ring to Open", TRIGGER_SYSTEM))

    def use_keypad(self, smartlock_id: int, code: int, action: int | None = None) -> bool:
        """Enter a code on the keypad; returns whether it was accepted."""
        dev = self.any_device(smartlock_id)
        if not dev.keypad:
            raise not_valid(smartlock_id, "smartlockId")
        auth = next(
            (
                a
                for a in self.auths.values()
                if a["smartlockId"] == dev.id
                and a["type"] == KEYPAD_CODE_AUTH
                and a.get("code") == code
                and a["enabled"]
            ),
            None,
        )
        if auth is None:
            self.add_log(
                dev,
                1 if dev.type != OPENER else 3,
                Actor("Unknown", TRIGGER_KEYPAD, source=SOURCE_KEYPAD),
                state=INVALID_CODE,
            )
            return False
        auth["lockCount"] = auth.get("lockCount", 0) + 1
        auth["lastActiveDate"] = iso(time.time())
        actor = Actor(auth["name"], TRIGGER_KEYPAD, auth_id=auth["id"], source=SOURCE_KEYPAD)
        self.start_action(dev, action or (3 if dev.type == OPENER else 1), actor)
        return True

    def set_smart_hosting(self, smartlock_id: int, active: bool) -> None:
        """Switch a device's Smart Hosting subscription on or off."""
        self.any_device(smartlock_id).set_subscription(active)

    def any_device(self, smartlock_id: int) -> Device:
        """Return any device by id (control side: no token, no Smart Hosting check) or 404."""
        try:
            return self.devices[int(smartlock_id)]
        except KeyError:
            raise not_found() from None

    # ---- auths ---------------------------------------------------------------------------

    def new_auth(self, dev: Device, fields: Json) -> Json:
        """Build a SmartlockAuth for `dev` from validated create fields."""
        now = iso(time.time())
        auth: Json = {
            "id": object_id(time.time()),
            "smartlockId": dev.id,
            "authId": next(self._auth_ids),
            "type": 0,
            "enabled": True,
            "remoteAllowed": False,
            "lockCount": 0,
            "creationDate": now,
            "updateDate": now,
        }
        fields = {k: v for k, v in fields.items() if k != "smartActionsEnabled"}
        auth.update(keypad_name(fields, fields.get("type")))
        return auth

    def check_code_free(self, dev: Device, code: Any, skip: str | None = None) -> None:
        """Raise 409 if the keypad code exists on the device, 400 if there is no keypad."""
        if not dev.keypad:
            raise not_valid(KEYPAD_CODE_AUTH, "type")
        for auth in self.auths.values():
            if auth["smartlockId"] == dev.id and auth.get("code") == code and auth["id"] != skip:
                raise ApiError(
                    409, f"The supplied value '{code}' for parameter 'code' is not valid"
                )

    def create_auth_later(self, dev: Device, fields: Json) -> None:
        """Validate device rules now (400/409); store the auth after the actuation delay."""
        if fields.get("type") == KEYPAD_CODE_AUTH:
            self.check_code_free(dev, fields.get("code"))
        auth = self.new_auth(dev, fields)
        self.later(self.actuation_delay, lambda: self._store_auth(auth))

    def _store_auth(self, auth: Json, *, deleted: bool = False) -> None:
        self._pending_auths.discard(auth["id"])
        dev = self.devices.get(auth["smartlockId"])
        if deleted:
            self.auths.pop(auth["id"], None)
        else:
            auth["updateDate"] = iso(time.time())
            self.auths[auth["id"]] = auth
        if dev is not None:
            self.emit(
                dev.account_id,
                "DEVICE_AUTHS",
                {
                    "feature": "DEVICE_AUTHS",
                    "deleted": deleted,
                    "smartlockAuth": copy.deepcopy(auth),
                },
            )

    def auth(self, token: Token, auth_id: str, dev: Device | None = None) -> Json:
        """Return one of the token's auths (optionally of one device) or raise 404."""
        auth = self.auths.get(auth_id)
        owner = self.devices.get(auth["smartlockId"]) if auth else None
        if (
            auth is None
            or owner is None
            or owner.account_id != token.account_id
            or (dev is not None and owner is not dev)
        ):
            raise not_found("Smartlock auth")
        return auth

    def update_auth_later(self, auth: Json, fields: Json) -> None:
        """Apply an auth change after the delay; 423 while a change is pending."""
        self._begin_auth_change(auth)
        if "code" in fields and auth["type"] == KEYPAD_CODE_AUTH:
            self.check_code_free(self.devices[auth["smartlockId"]], fields["code"], skip=auth["id"])
        changed = {**auth, **keypad_name(fields, auth["type"])}
        self.later(self.actuation_delay, lambda: self._store_auth(changed))

    def delete_auth_later(self, auth: Json) -> None:
        """Delete an auth after the delay; 423 while a change is pending."""
        self._begin_auth_change(auth)
        self.later(self.actuation_delay, lambda: self._store_auth(auth, deleted=True))

    def _begin_auth_change(self, auth: Json) -> None:
        if self.busy_conflicts and auth["id"] in self._pending_auths:
            raise locked("The authorization is locked for another operation")
        self._pending_auths.add(auth["id"])

    # ---- config ---------------------------------------------------------------------------

    def update_config_later(self, dev: Device, key: str, fields: Json) -> None:
        """Merge `fields` into the device's `key` object after the delay."""
        self.require_idle(dev)

        def apply() -> None:
            target: Json = dev.data.setdefault(key, {})
            target.update(fields)
            if key == "config" and "name" in fields:
                dev.data["name"] = fields["name"]
            dev.data["updateDate"] = iso(time.time())
            self.emit(
                dev.account_id,
                "DEVICE_CONFIG",
                {"feature": "DEVICE_CONFIG", "smartlockId": dev.id, key: copy.deepcopy(target)},
            )

        self.later(self.actuation_delay, apply)

    # ---- introspection ---------------------------------------------------------------------

    def reset_counters(self) -> None:
        """Zero the request counters and the in-flight maxima."""
        self.counters.clear()
        self.max_in_flight.clear()

    def counters_json(self) -> Json:
        """Return counters, in-flight and max in-flight per route."""
        return {
            "requests": dict(self.counters),
            "total": sum(self.counters.values()),
            "in_flight": {k: v for k, v in self.in_flight.items() if v},
            "max_in_flight": dict(self.max_in_flight),
        }

    def dump(self) -> Json:
        """Return everything as JSON (GET /_sim/state)."""
        return {
            "accounts": list(self.accounts.values()),
            "tokens": [
                {
                    "accountId": t.account_id,
                    "accountUserId": t.account_user_id,
                    "scopes": sorted(t.scopes),
                    "advancedApi": t.advanced_api,
                }
                for t in self.tokens.values()
            ],
            "devices": [
                {
                    **d.data,
                    "_sim": {
                        "smartHosting": not d.no_subscription,
                        "keypad": d.keypad,
                        "doorSensor": d.door_sensor,
                        "busy": d.busy,
                    },
                }
                for d in self.devices.values()
            ],
            "auths": list(self.auths.values()),
            "logs": self.logs,
            "webhooks": list(self.webhooks.values()),
            "settings": {
                "actuation_delay": self.actuation_delay,
                "hold_scale": self.hold_scale,
                "smart_hosting_status": self.smart_hosting_status,
                "smart_hosting_body": self.smart_hosting_body,
                "busy_conflicts": self.busy_conflicts,
            },
            "faults": self.faults.as_json(),
            "counters": self.counters_json(),
        }


def build(
    scenario: Json,
    *,
    tokens: Sequence[str] | None = None,
    actuation_delay: float = 2.0,
    hold_scale: float = 1.0,
    smart_hosting_status: int = 402,
    smart_hosting_body: str = "detailMessage",
    busy_conflicts: bool = True,
    faults: Faults | None = None,
) -> Simulator:
    """Create a Simulator from a scenario dict; `tokens` replace the scenario's token values in order."""
    sim = Simulator(
        actuation_delay=actuation_delay,
        hold_scale=hold_scale,
        smart_hosting_status=smart_hosting_status,
        busy_conflicts=busy_conflicts,
        faults=faults or Faults(),
    )
    sim.set_smart_hosting_body(smart_hosting_body)
    for account in scenario.get("accounts", []):
        sim.accounts[int(account["accountId"])] = copy.deepcopy(account)
    specs: list[Json] = scenario.get("tokens", [])
    values = list(tokens or [])
    if len(values) > len(specs):
        raise ValueError(f"{len(values)} tokens given but the scenario defines {len(specs)}")
    for index, spec in enumerate(specs):
        value = values[index] if index < len(values) else str(spec["token"])
        account = sim.accounts[int(spec["accountId"])]
        sim.tokens[value] = Token(
            value=value,
            account_id=int(spec["accountId"]),
            account_user_id=int(spec.get("accountUserId") or account["accountId"]),
            user_name=str(spec.get("userName", account.get("name", "Nuki Web"))),
            scopes=frozenset(spec["scopes"]) if "scopes" in spec else ALL_SCOPES,
            advanced_api=bool(spec.get("advancedApi", False)),
        )
    for device in scenario.get("devices", []):
        sim.add_device(device)
    now = time.time()
    for auth in scenario.get("auths", []):
        dev = sim.devices[int(auth["smartlockId"])]
        stored = sim.new_auth(dev, auth)
        sim.auths[stored["id"]] = stored
    for log in sorted(scenario.get("logs", []), key=lambda item: -float(item.get("ago", 0))):
        entry = {k: v for k, v in log.items() if k != "ago"}
        stamp = now - float(log.get("ago", 0))
        dev = sim.devices[int(entry["smartlockId"])]
        entry.setdefault("id", object_id(stamp))
        entry.setdefault("date", iso(stamp))
        entry.setdefault("deviceType", dev.type)
        for key, default in (("autoUnlock", False), ("state", 0), ("source", 0), ("trigger", 0)):
            entry.setdefault(key, default)
        sim.logs.append(entry)
    return sim
