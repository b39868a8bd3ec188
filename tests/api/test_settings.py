"""Config objects and settings: typed values, presence, and the full-object write body."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from custom_components.nuki_web_api.api import (
    ADVANCED_CONFIG,
    CONFIG,
    OPENER_CONFIG,
    SMARTDOOR_CONFIG,
    WEB_CONFIG,
    ButtonPressAction,
    Smartlock,
    SmartlockAuth,
)

from . import payloads

LED = CONFIG.setting("ledEnabled", lambda config: config.led_enabled)
BRIGHTNESS = CONFIG.setting("ledBrightness", lambda config: config.led_brightness)
BUTTON = ADVANCED_CONFIG.setting("singleButtonPressAction", lambda c: c.single_button_press_action)


def test_typed_values_and_presence() -> None:
    """A setting reads the model's typed value; it exists where the device reports the field."""
    lock = Smartlock.from_json(payloads.SMARTLOCK_3_4)
    assert LED.get(lock) is True
    assert BRIGHTNESS.get(lock) == 3
    assert BUTTON.get(lock) is ButtonPressAction(1)
    assert LED.exists(lock)
    assert BUTTON.exists(lock)
    rto = OPENER_CONFIG.setting("rtoTimeout", lambda opener: opener.rto_timeout)
    assert rto.get(lock) is None  # a lock has no Opener config
    assert not rto.exists(lock)


def test_wrong_types_read_as_none_but_exist() -> None:
    """A field of the wrong type (or null) has no value, but the device still reports it."""
    data = copy.deepcopy(payloads.SMARTLOCK_3_4)
    data["config"].update(ledEnabled=None, ledBrightness=True)
    lock = Smartlock.from_json(data)
    assert LED.get(lock) is None
    assert BRIGHTNESS.get(lock) is None  # a bool is no brightness
    assert LED.exists(lock)
    assert BRIGHTNESS.exists(lock)


def test_body_is_the_reported_object_without_read_only_fields() -> None:
    """Nothing the write leaves out gets reset: every writable field goes back as reported."""
    lock = Smartlock.from_json(payloads.SMARTLOCK_3_4)
    reported = payloads.SMARTLOCK_3_4["config"]
    body = CONFIG.body(lock, {"ledBrightness": 5})
    assert body == {
        **{k: v for k, v in reported.items() if k not in CONFIG.read_only},
        "ledBrightness": 5,
    }
    assert {"fobPaired", "keypadPaired", "deviceType", "wifiEnabled"} <= CONFIG.read_only
    assert "fobPaired" in reported
    assert "operationId" in ADVANCED_CONFIG.read_only
    assert "totalDegrees" not in ADVANCED_CONFIG.body(lock, {})
    # An object the device does not report (no Smart Hosting) gives the changes alone.
    assert WEB_CONFIG.body(Smartlock.from_json(payloads.SMARTLOCK_NO_SHS), {"x": 1}) == {"x": 1}


def test_settings_of_one_field_are_equal() -> None:
    """Two settings of the same object and field are one key, whatever getter reads them."""
    again = CONFIG.setting("ledEnabled", lambda config: config.led_enabled)
    assert again == LED
    assert hash(again) == hash(LED)
    assert again != CONFIG.setting("buttonEnabled", lambda config: config.button_enabled)
    lock_auto = ADVANCED_CONFIG.setting("autoLock", lambda config: config.auto_lock)
    assert lock_auto != SMARTDOOR_CONFIG.setting("autoLock", lambda config: config.auto_lock)


def test_auth_update_date() -> None:
    """An authorization's updateDate is parsed (it orders pushed authorizations)."""
    auth = SmartlockAuth.from_json({**payloads.AUTH_KEYPAD, "updateDate": "2025-09-13T10:00:00Z"})
    assert auth.update_date == datetime(2025, 9, 13, 10, 0, tzinfo=UTC)
    assert SmartlockAuth.from_json(payloads.AUTH_KEYPAD).update_date is None
