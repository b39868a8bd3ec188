"""Request body checks, with Nuki's 400 wording ("The supplied value 'X' for parameter 'Y' ...")."""

from __future__ import annotations

from typing import Any

from .errors import not_valid

# Field tables follow the Swagger definitions (Smartlock.Config etc.): name -> kind, where
# kind is "bool", "int", "float", "str", "list" or "ro" (read-only: accepted and ignored, so a
# client can send back the complete object it read).
_RO = "ro"
CONFIG_FIELDS: dict[str, str] = {
    "name": "str",
    "latitude": "float",
    "longitude": "float",
    "autoUnlatch": "bool",
    "liftUpHandle": "bool",
    "pairingEnabled": "bool",
    "buttonEnabled": "bool",
    "ledEnabled": "bool",
    "ledBrightness": "int",
    "timezoneOffset": "int",
    "daylightSavingMode": "int",
    "fobAction1": "int",
    "fobAction2": "int",
    "fobAction3": "int",
    "singleLock": "bool",
    "advertisingMode": "int",
    "timezoneId": "int",
    "operatingMode": "int",
    "capabilities": _RO,
    "fobPaired": _RO,
    "keypadPaired": _RO,
    "keypad2Paired": _RO,
    "homekitState": _RO,
    "matterState": _RO,
    "deviceType": _RO,
    "wifiEnabled": _RO,
    "operationId": _RO,
    "productVariant": _RO,
}
ADVANCED_CONFIG_FIELDS: dict[str, str] = {
    "lngTimeout": "int",
    "singleButtonPressAction": "int",
    "doubleButtonPressAction": "int",
    "automaticBatteryTypeDetection": "bool",
    "unlatchDuration": "int",
    "totalDegrees": "int",
    "singleLockedPositionOffsetDegrees": "int",
    "unlockedToLockedTransitionOffsetDegrees": "int",
    "unlockedPositionOffsetDegrees": "int",
    "lockedPositionOffsetDegrees": "int",
    "detachedCylinder": "bool",
    "batteryType": "int",
    "autoLock": "bool",
    "autoLockTimeout": "int",
    "autoUpdateEnabled": "bool",
    "motorSpeed": "int",
    "enableSlowSpeedDuringNightmode": "bool",
    "operationId": _RO,
}
OPENER_ADVANCED_CONFIG_FIELDS: dict[str, str] = {
    "intercomId": "int",
    "busModeSwitch": "int",
    "shortCircuitDuration": "int",
    "electricStrikeDelay": "int",
    "randomElectricStrikeDelay": "bool",
    "electricStrikeDuration": "int",
    "disableRtoAfterRing": "bool",
    "rtoTimeout": "int",
    "doorbellSuppression": "int",
    "doorbellSuppressionDuration": "int",
    "soundRing": "int",
    "soundOpen": "int",
    "soundRto": "int",
    "soundCm": "int",
    "soundConfirmation": "int",
    "soundLevel": "int",
    "singleButtonPressAction": "int",
    "doubleButtonPressAction": "int",
    "batteryType": "int",
    "automaticBatteryTypeDetection": "bool",
    "autoUpdateEnabled": "bool",
    "operationId": _RO,
}
SMARTDOOR_ADVANCED_CONFIG_FIELDS: dict[str, str] = {
    "lngTimeout": "int",
    "singleButtonPressAction": "int",
    "doubleButtonPressAction": "int",
    "automaticBatteryTypeDetection": "bool",
    "unlatchDuration": "int",
    "buzzerVolume": "int",
    "supportedBatteryTypes": _RO,
    "batteryType": "int",
    "autoLockTimeout": "int",
    "autoLock": "bool",
    "operationId": _RO,
}
WEB_CONFIG_FIELDS: dict[str, str] = {
    "batteryWarningPerMailEnabled": "bool",
    "dismissedLiftUpHandleWarning": "list",
}
# Documented value ranges worth enforcing (the Swagger's own bounds are unreliable).
_RANGES: dict[str, tuple[int, int]] = {
    "ledBrightness": (0, 5),
    "advertisingMode": (0, 3),
    "motorSpeed": (0, 2),
    "buzzerVolume": (0, 2),
    "singleButtonPressAction": (0, 7),
    "doubleButtonPressAction": (0, 7),
}


def _kind_ok(kind: str, value: Any) -> bool:
    match kind:
        case "bool":
            return isinstance(value, bool)
        case "int":
            return isinstance(value, int) and not isinstance(value, bool)
        case "float":
            return isinstance(value, int | float) and not isinstance(value, bool)
        case "str":
            return isinstance(value, str)
        case "list":
            return isinstance(value, list)
    return True


def check_object(body: Any, fields: dict[str, str], param: str = "body") -> dict[str, Any]:
    """Return the writable fields of `body`, or raise 400 for an unknown field or a wrong type."""
    if not isinstance(body, dict) or not body:
        raise not_valid(body, param)
    result: dict[str, Any] = {}
    for key, value in body.items():
        kind = fields.get(key)
        if kind is None or not _kind_ok(kind, value):
            raise not_valid(value, key)
        low, high = _RANGES.get(key, (None, None))
        if low is not None and high is not None and not low <= value <= high:
            raise not_valid(value, key)
        if kind != _RO:
            result[key] = value
    return result


def require_int(body: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    """Return body[key] as an int (400 if the type is wrong or it is missing and required)."""
    value = body.get(key)
    if value is None:
        if required:
            raise not_valid(None, key)
        return None
    if not _kind_ok("int", value):
        raise not_valid(value, key)
    return int(value)


def keypad_code_valid(code: Any) -> bool:
    """Apply Nuki's keypad code rules: 6 digits, only 1-9, not starting with "12"."""
    if not _kind_ok("int", code):
        return False
    text = str(code)
    return len(text) == 6 and "0" not in text and not text.startswith("12")


AUTH_TIME_FIELDS: dict[str, str] = {
    "allowedFromDate": "str",
    "allowedUntilDate": "str",
    "allowedWeekDays": "int",
    "allowedFromTime": "int",
    "allowedUntilTime": "int",
}
AUTH_CREATE_FIELDS: dict[str, str] = {
    "name": "str",
    "accountUserId": "int",
    "remoteAllowed": "bool",
    "smartActionsEnabled": "bool",
    "type": "int",
    "code": "int",
    **AUTH_TIME_FIELDS,
}
AUTH_UPDATE_FIELDS: dict[str, str] = {
    "name": "str",
    "accountUserId": "int",
    "enabled": "bool",
    "remoteAllowed": "bool",
    "code": "int",
    **AUTH_TIME_FIELDS,
}
CREATABLE_AUTH_TYPES = frozenset({0, 2, 13})
KEYPAD_CODE_AUTH = 13


def check_auth_create(body: Any, fields: dict[str, str] = AUTH_CREATE_FIELDS) -> dict[str, Any]:
    """Validate a SmartlockAuthCreate body (device-independent rules only)."""
    data = check_object(body, fields)
    name = data.get("name")
    if not isinstance(name, str) or not 0 < len(name) <= 32:
        raise not_valid(name, "name")
    if "remoteAllowed" not in data:
        raise not_valid(None, "remoteAllowed")
    auth_type = data.setdefault("type", 0)
    if auth_type not in CREATABLE_AUTH_TYPES:
        raise not_valid(auth_type, "type")
    if auth_type == KEYPAD_CODE_AUTH:
        if not keypad_code_valid(data.get("code")):
            raise not_valid(data.get("code"), "code")
    elif "accountUserId" not in data:
        raise not_valid(None, "accountUserId")
    return data


def check_auth_update(body: Any, fields: dict[str, str] = AUTH_UPDATE_FIELDS) -> dict[str, Any]:
    """Validate a SmartlockAuthUpdate body."""
    data = check_object(body, fields)
    if "name" in data and not 0 < len(data["name"]) <= 32:
        raise not_valid(data["name"], "name")
    if "code" in data and not keypad_code_valid(data["code"]):
        raise not_valid(data["code"], "code")
    return data


def check_list(body: Any, param: str = "body") -> list[Any]:
    """Return `body` if it is a non-empty JSON array, else raise 400."""
    if not isinstance(body, list) or not body:
        raise not_valid(body, param)
    return body
