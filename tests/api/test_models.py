"""Parsing of real-shaped Nuki payloads."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from custom_components.nuki_web_api.api import (
    Account,
    AdminPinState,
    AdvancedConfig,
    AdvancedConfirmation,
    AuthType,
    BatteryType,
    ButtonPressAction,
    BuzzerVolume,
    DecentralWebhook,
    DeviceMode,
    DeviceType,
    DoorState,
    KeypadMountingState,
    LockAction,
    LockState,
    LogAction,
    LogCompletion,
    LogSource,
    LogTrigger,
    MotorSpeed,
    NukiInvalidResponseError,
    OpenerAction,
    OpenerAdvancedConfig,
    OpenerButtonPressAction,
    OpenerLog,
    OpenerLogSource,
    OpenerState,
    ProductVariant,
    ServerState,
    SmartdoorAdvancedConfig,
    Smartlock,
    SmartlockAuth,
    SmartlockConfig,
    SmartlockLog,
    SmartlockState,
    StateTrigger,
    TapToUnlockError,
    WebConfig,
    default_name,
    device_type_of,
    firmware_string,
    nuki_id,
)

from . import payloads

SWAGGER = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
SWAGGER = SWAGGER / "nuki-web-api-swagger-4.20.0.json"


def test_reference_smartlock() -> None:
    lock = Smartlock.from_json(payloads.SMARTLOCK_3_4)
    assert lock.smartlock_id == 17929391234
    assert lock.type is DeviceType.SMARTLOCK_3_4
    assert lock.model == "Smart Lock 3.0/4.0"
    assert lock.name == "Haustuer"
    assert lock.firmware_version == 132884
    assert lock.firmware == "2.7.20"
    assert lock.server_state is ServerState.OK
    assert lock.admin_pin_state is AdminPinState.OK
    assert not lock.smart_hosting_missing
    assert lock.error is None
    assert lock.update_date == datetime(2025, 9, 13, 11, 27, 37, 772000, tzinfo=UTC)
    assert lock.current_subscription is not None
    assert lock.current_subscription.active
    assert lock.opener_advanced_config is None
    assert lock.smartdoor_advanced_config is None

    config = lock.config
    assert config is not None
    assert config.raw == payloads.SMARTLOCK_3_4["config"]
    assert config.led_enabled is True
    assert config.led_brightness == 3
    assert config.auto_unlatch is True
    assert config.single_lock is False
    assert config.keypad_paired is False
    assert config.keypad2_paired is None
    assert config.latitude == 51.25
    assert config.product_variant is None

    advanced = lock.advanced_config
    assert advanced is not None
    assert advanced.battery_type is BatteryType.ACCUMULATOR
    assert advanced.single_button_press_action is ButtonPressAction.INTELLIGENT
    assert advanced.double_button_press_action is ButtonPressAction.LOCK_N_GO
    assert advanced.auto_lock is False
    assert advanced.auto_lock_timeout == 300
    assert advanced.lng_timeout == 20
    assert advanced.unlatch_duration == 3
    assert advanced.motor_speed is None

    state = lock.state
    assert state is not None
    assert state.state is LockState.LOCKED
    assert state.mode is DeviceMode.DOOR
    assert state.trigger is StateTrigger.SYSTEM
    assert state.last_action is LockAction.LOCK
    assert state.door_state is DoorState.CLOSED
    assert state.battery_charge == 90
    assert state.battery_critical is False
    assert state.ring_to_open_end is None


def test_seed_item_without_smart_hosting() -> None:
    """The seed's item: type 0, accountId 0, serverState 1, adminPinState 1 are placeholders."""
    lock = Smartlock.from_json(payloads.SMARTLOCK_NO_SHS)
    assert lock.smartlock_id == 13434261644
    assert lock.smart_hosting_missing
    assert lock.state is None
    assert lock.name is None
    assert lock.auth_id is None
    assert lock.config is None
    assert lock.firmware is None
    # 13434261644 = 0x3_20BE908C: the type is read out of the id, not taken from "type": 0.
    assert lock.type is DeviceType.SMARTDOOR
    assert lock.model == "Smart Door"
    assert lock.account_id is None
    assert lock.server_state is None
    assert lock.admin_pin_state is None


@pytest.mark.parametrize(
    ("smartlock_id", "device_type", "nuki", "name"),
    [
        (13434261644, DeviceType.SMARTDOOR, "20BE908C", "Smart Door 20BE908C"),
        (0x2_2B3C4D5E, DeviceType.OPENER, "2B3C4D5E", "Opener 2B3C4D5E"),
        (0x6F708192, DeviceType.SMARTLOCK_1_2, "6F708192", "Smart Lock 1.0/2.0 6F708192"),
        (0x5_4D5E6F70, DeviceType.SMARTLOCK_5, "4D5E6F70", "Smart Lock 5 4D5E6F70"),
        (0x9_00000001, DeviceType(9), "00000001", "Nuki device (type 9) 00000001"),
    ],
)
def test_identity_from_the_smartlock_id(
    smartlock_id: int, device_type: DeviceType, nuki: str, name: str
) -> None:
    assert device_type_of(smartlock_id) == device_type
    assert nuki_id(smartlock_id) == nuki
    assert default_name(smartlock_id) == name


def test_opener() -> None:
    opener = Smartlock.from_json(payloads.OPENER)
    assert opener.model == "Opener"
    assert opener.favorite is True
    assert opener.firmware == "1.1.0"
    assert opener.state is not None
    assert opener.state.state is OpenerState.RING_TO_OPEN_ACTIVE
    assert opener.state.last_action is OpenerAction.ACTIVATE_RING_TO_OPEN
    assert opener.state.mode is DeviceMode.CONTINUOUS
    assert opener.state.trigger is StateTrigger.CONTINUOUS_MODE
    assert opener.state.ring_to_open_end == datetime(2025, 9, 13, 11, 47, 37, tzinfo=UTC)
    assert opener.config is not None
    assert opener.config.latitude == 51.0
    assert opener.config.capabilities == 1
    assert opener.config.operating_mode == 2
    cfg = opener.opener_advanced_config
    assert cfg is not None
    assert cfg.rto_timeout == 20
    assert cfg.electric_strike_duration == 3000
    assert cfg.doorbell_suppression == 2
    assert cfg.doorbell_suppression_duration == 500
    assert cfg.sound_level == 255
    assert cfg.battery_type is BatteryType.FIXED
    assert cfg.single_button_press_action is OpenerButtonPressAction.TOGGLE_RING_TO_OPEN
    assert cfg.double_button_press_action is OpenerButtonPressAction.TOGGLE_CONTINUOUS_MODE
    assert cfg.auto_update_enabled is True


def test_smart_door() -> None:
    door = Smartlock.from_json(payloads.SMART_DOOR)
    assert door.model == "Smart Door"
    assert door.lm_type == 2
    assert door.server_state is ServerState.OFFLINE
    assert door.admin_pin_state is AdminPinState.INVALID
    assert door.state is not None
    assert door.state.state is LockState.UNLOCKED
    assert door.state.door_state is DoorState.OPENED
    assert door.state.trigger is StateTrigger.ACCESSORY
    cfg = door.smartdoor_advanced_config
    assert cfg is not None
    assert cfg.buzzer_volume is BuzzerVolume.LOW
    assert cfg.battery_type is BatteryType.AUTOMATIC
    assert cfg.single_button_press_action is ButtonPressAction.UNLOCK
    assert cfg.supported_battery_types[:3] == (
        BatteryType.ALKALI,
        BatteryType.ACCUMULATOR,
        BatteryType.AUTOMATIC,
    )
    assert not cfg.supported_battery_types[3].is_known
    assert cfg.auto_lock is True
    assert door.web_config is not None
    assert door.web_config.battery_warning_per_mail_enabled is True
    assert door.web_config.dismissed_lift_up_handle_warning == (1, 2)


def test_smartlock_5_with_variant() -> None:
    lock = Smartlock.from_json(payloads.SMARTLOCK_5)
    assert lock.type is DeviceType.SMARTLOCK_5
    assert lock.product_variant is ProductVariant.ULTRA
    assert lock.model == "Smart Lock 5 Ultra"
    assert lock.firmware == "4.1.1"
    assert lock.config is not None
    assert lock.config.keypad2_paired is True
    assert lock.advanced_config is not None
    assert lock.advanced_config.motor_speed is MotorSpeed.SLOW
    assert lock.advanced_config.enable_slow_speed_during_nightmode is True
    assert lock.state is not None
    assert lock.state.mode is DeviceMode.OFF_DOOR_CHARGING
    assert lock.state.state is LockState.UNLOCKED_LOCK_N_GO
    assert lock.state.battery_charging is True
    assert lock.web_config is not None
    assert lock.web_config.dismissed_lift_up_handle_warning == ()


def test_unknown_codes_in_a_device_do_not_raise() -> None:
    data = copy.deepcopy(payloads.SMARTLOCK_3_4)
    data["type"] = 9
    data["state"]["state"] = 99
    data["serverState"] = 42
    lock = Smartlock.from_json(data)
    assert lock.model == "Nuki device (type 9)"
    assert lock.type.value == 9
    assert lock.state is not None
    assert lock.state.state == 99
    assert lock.state.state is not None
    assert not lock.state.state.is_known
    assert lock.server_state == 42


def test_wrong_optional_types_become_none() -> None:
    data = copy.deepcopy(payloads.SMARTLOCK_3_4)
    data["name"] = 5
    data["firmwareVersion"] = "2.7.20"
    data["favorite"] = "yes"
    data["state"] = {"state": "locked", "batteryCharge": True, "ringToOpenEnd": "not a date"}
    data["config"] = ["not", "an", "object"]
    data["creationDate"] = 12
    lock = Smartlock.from_json(data)
    assert lock.name is None
    assert lock.firmware_version is None
    assert lock.firmware is None
    assert lock.favorite is False
    assert lock.config is None
    assert lock.creation_date is None
    assert lock.state is not None
    assert lock.state.state is None
    assert lock.state.battery_charge is None
    assert lock.state.ring_to_open_end is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (1, KeypadMountingState.MOUNTED),
        (2, KeypadMountingState.MOVED),
        (255, KeypadMountingState.THEFT_DETECTED),
        (None, None),
    ],
)
def test_keypad_mounting_state(code: int | None, expected: KeypadMountingState | None) -> None:
    data = copy.deepcopy(payloads.SMARTLOCK_3_4)
    data["state"]["keypadMountingState"] = code
    state = Smartlock.from_json(data).state
    assert state is not None
    assert state.keypad_mounting_state is expected


@pytest.mark.parametrize(
    ("door_state", "expected"),
    [(0, False), (1, False), (2, True), (3, True), (5, True), (4, True), (99, True)],
)
def test_has_door_sensor_unless_none_is_paired_or_it_is_deactivated(
    door_state: int, expected: bool
) -> None:
    data = copy.deepcopy(payloads.SMARTLOCK_3_4)
    data["state"]["doorState"] = door_state
    assert Smartlock.from_json(data).has_door_sensor() is expected
    assert not Smartlock.from_json(payloads.SMARTLOCK_NO_SHS).has_door_sensor()  # no state


@pytest.mark.parametrize(("charge", "expected"), [(-5, None), (250, None), (0, 0), (100, 100)])
def test_battery_charge_outside_a_percentage_is_none(charge: int, expected: int | None) -> None:
    data = copy.deepcopy(payloads.SMARTLOCK_3_4)
    data["state"]["batteryCharge"] = charge
    state = Smartlock.from_json(data).state
    assert state is not None
    assert state.battery_charge == expected


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"smartlockId": "17929391234"}, "smartlockId"),
        ({"smartlockId": None}, "smartlockId"),
        ({"type": True}, "type"),
    ],
)
def test_wrong_required_types_raise(change: dict[str, Any], field: str) -> None:
    data = {**payloads.SMARTLOCK_3_4, **change}
    with pytest.raises(NukiInvalidResponseError, match=f"smartlock.{field}"):
        Smartlock.from_json(data)


def test_missing_required_field_raises() -> None:
    data = dict(payloads.SMARTLOCK_3_4)
    del data["smartlockId"]
    with pytest.raises(NukiInvalidResponseError, match="got nothing"):
        Smartlock.from_json(data)


def test_not_an_object_raises() -> None:
    with pytest.raises(NukiInvalidResponseError, match="expected a JSON object, got list"):
        Smartlock.from_json([payloads.SMARTLOCK_3_4])


def test_log_with_opener_log() -> None:
    log = SmartlockLog.from_json(payloads.LOG_OPENER)
    assert log.id == "68c55a4f1599fa2b8a6f3a01"
    assert log.device_type is DeviceType.OPENER
    assert log.action is LogAction.DOORBELL_RECOGNITION
    assert log.trigger is LogTrigger.SYSTEM
    assert log.state is LogCompletion.SUCCESS
    assert log.auth_id == "65219648fe57075d71a6cb01"
    assert log.account_user_id == 99
    assert log.name == "Anna"
    assert log.date == datetime(2025, 9, 13, 11, 27, 37, 772000, tzinfo=UTC)
    assert log.opener_log is not None
    assert log.opener_log.active_rto is True
    assert log.opener_log.source is OpenerLogSource.DOORBELL
    assert log.opener_log.flag_doorbell_suppression is True
    assert log.error is None


def test_lock_log_converts_date_to_utc() -> None:
    log = SmartlockLog.from_json(payloads.LOG_LOCK)
    assert log.date == datetime(2025, 9, 13, 11, 27, 37, tzinfo=UTC)
    assert log.date.tzinfo is UTC
    assert log.action is LogAction.DOOR_WARNING_AJAR
    assert log.ajar_timeout == 5
    assert log.trigger is LogTrigger.KEYPAD
    assert log.state is LogCompletion.INVALID_CODE
    assert log.source is LogSource.KEYPAD_CODE
    assert log.opener_log is None


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (0, TapToUnlockError.ACCESS_DOCUMENT_REVOKED),
        (1, TapToUnlockError.SEND_NFC_FAILED),
        (37, TapToUnlockError.INVALID_ACCESS_RIGHTS),
    ],
)
def test_failed_tap_to_unlock_uses_its_own_state_table(code: int, error: TapToUnlockError) -> None:
    """Source 3 with trigger 253: state 0 is "access document revoked", never success."""
    log = SmartlockLog.from_json(
        {**payloads.LOG_LOCK, "action": 1, "trigger": 253, "source": 3, "state": code}
    )
    assert log.state is error
    assert not log.succeeded


def test_success_and_other_keypad_errors_keep_the_completion_table() -> None:
    unlock = SmartlockLog.from_json({**payloads.LOG_LOCK, "action": 1, "state": 0, "source": 3})
    assert unlock.state is LogCompletion.SUCCESS
    assert unlock.succeeded
    keypad = SmartlockLog.from_json({**payloads.LOG_LOCK, "trigger": 253, "source": 1, "state": 0})
    assert keypad.state is LogCompletion.SUCCESS


def test_seed_log_item() -> None:
    log = SmartlockLog.from_json(payloads.LOG_NO_SHS)
    assert log.action is LogAction.LOG_DISABLED
    assert log.state is LogCompletion.UNKNOWN_ERROR
    assert log.source is not None
    assert log.source.value == 6
    assert not log.source.is_known
    assert log.error == payloads.SMART_HOSTING


def test_log_with_unknown_action_and_naive_date() -> None:
    log = SmartlockLog.from_json(
        {**payloads.LOG_LOCK, "action": 200, "date": "2025-09-13T11:00:00"}
    )
    assert log.action == 200
    assert not log.action.is_known
    assert log.date == datetime(2025, 9, 13, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize("missing", ["id", "smartlockId", "date", "action"])
def test_log_without_required_field_raises(missing: str) -> None:
    data = dict(payloads.LOG_LOCK)
    del data[missing]
    with pytest.raises(NukiInvalidResponseError, match=missing):
        SmartlockLog.from_json(data)


def test_keypad_auth() -> None:
    auth = SmartlockAuth.from_json(payloads.AUTH_KEYPAD)
    assert auth.id == "65219648fe57075d71a6cb01"
    assert auth.type is AuthType.KEYPAD_CODE
    assert auth.code == 345678
    assert auth.enabled is True
    assert auth.remote_allowed is False
    assert auth.lock_count == 7
    assert auth.allowed_week_days == 124
    assert auth.allowed_from_time == 480
    assert auth.allowed_until_date == datetime(2025, 12, 31, 22, 59, tzinfo=UTC)
    assert auth.last_active_date == datetime(2025, 9, 13, 8, 0, tzinfo=UTC)
    assert auth.raw["name"] == "Putzhilfe"


def test_seed_auth_item() -> None:
    auth = SmartlockAuth.from_json(payloads.AUTH_NO_SHS)
    assert auth.id is None
    assert auth.name is None
    assert auth.smartlock_id == 17913012514
    assert auth.type is AuthType.FOB
    assert auth.error == payloads.SMART_HOSTING


def test_account() -> None:
    account = Account.from_json(payloads.ACCOUNT)
    assert account.account_id == 682876543
    assert account.email == "anna@example.com"
    assert account.language == "de"
    with pytest.raises(NukiInvalidResponseError):
        Account.from_json({"email": "anna@example.com"})


def test_decentral_webhook_repr_hides_secret() -> None:
    hook = DecentralWebhook.from_json(
        {
            "id": 7,
            "secret": "s3cr3t-signing-key",
            "webhookUrl": "https://example.com/hook",
            "webhookFeatures": ["DEVICE_STATUS", "DEVICE_LOGS", 5],
        }
    )
    assert hook.id == 7
    assert hook.secret == "s3cr3t-signing-key"
    assert hook.webhook_features == ("DEVICE_STATUS", "DEVICE_LOGS")
    assert "s3cr3t" not in repr(hook)
    assert "https://example.com/hook" in repr(hook)
    bare = DecentralWebhook.from_json({"webhookUrl": "https://example.com/x"})
    assert bare.id is None
    assert bare.webhook_features == ()


def test_advanced_confirmation_ids() -> None:
    ok = AdvancedConfirmation.from_json({"requestId": "a-b-c"})
    assert ok.request_id == "a-b-c"
    assert ok.smartlock_ids == ()
    assert not ok.smart_hosting_missing
    failed = AdvancedConfirmation.from_json(
        {
            "error": "Auths cannot be created. Please get Smart Hosting subscription "
            "for the Smart Locks with ID: 12121212121, 343434"
        }
    )
    assert failed.request_id is None
    assert failed.smart_hosting_missing
    assert failed.smartlock_ids == (12121212121, 343434)


@pytest.mark.parametrize(
    ("version", "expected"),
    [(132884, "2.7.20"), (132608, "2.6.0"), (0, "0.0.0"), (None, None), (-1, None)],
)
def test_firmware_string(version: int | None, expected: str | None) -> None:
    assert firmware_string(version) == expected


@pytest.mark.parametrize(
    ("definition", "model"),
    [
        ("Smartlock", Smartlock),
        ("Smartlock.Config", SmartlockConfig),
        ("Smartlock.AdvancedConfig", AdvancedConfig),
        ("Smartlock.OpenerAdvancedConfig", OpenerAdvancedConfig),
        ("Smartlock.SmartdoorAdvancedConfig", SmartdoorAdvancedConfig),
        ("Smartlock.WebConfig", WebConfig),
        ("Smartlock.State", SmartlockState),
        ("SmartlockLog", SmartlockLog),
        ("SmartlockLog.OpenerLog", OpenerLog),
        ("SmartlockAuth", SmartlockAuth),
    ],
)
def test_every_field_is_read_from_a_key_of_the_swagger(definition: str, model: type) -> None:
    """A field is read from its name in camelCase: that must be a key Nuki's Swagger names."""
    if not SWAGGER.exists():
        pytest.skip(f"no {SWAGGER} (reference material not present)")
    keys = set(
        json.loads(SWAGGER.read_text(encoding="utf-8"))["definitions"][definition]["properties"]
    )
    derived = {"raw", "firmware"}  # the JSON itself; firmwareVersion as "2.7.20"
    fields = [f.name for f in dataclasses.fields(model) if f.name not in derived]
    camel = [re.sub(r"_([a-z0-9])", lambda m: m[1].upper(), name) for name in fields]
    assert [key for key in camel if key not in keys] == []
