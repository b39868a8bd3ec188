"""Nuki codes: known members, unknown codes kept, model names."""

from __future__ import annotations

import pytest

from custom_components.nuki_web_api.api import (
    BatteryType,
    DeviceType,
    LockState,
    LogAction,
    LogCompletion,
    NukiIntEnum,
    OpenerState,
    ProductVariant,
    TapToUnlockError,
    model_name,
)


@pytest.mark.parametrize(
    ("enum", "code"), [(LockState, 99), (DeviceType, 9), (LogAction, 200), (OpenerState, 2)]
)
def test_unknown_code_is_kept(enum: type[NukiIntEnum], code: int) -> None:
    member = enum(code)
    assert isinstance(member, enum)
    assert member.value == code
    assert member == code
    assert not member.is_known
    assert str(member) == f"UNKNOWN({code})"


def test_known_code() -> None:
    assert LockState(1) is LockState.LOCKED
    assert LockState.LOCKED.is_known
    assert str(LockState.LOCKED) == "LOCKED"
    assert BatteryType(254) is BatteryType.AUTOMATIC


def test_non_integer_code_still_raises() -> None:
    with pytest.raises(ValueError, match="not a valid LockState"):
        LockState("locked")  # type: ignore[arg-type]


def test_log_completion_covers_the_documented_codes() -> None:
    codes = {*range(11), 224, 225, 226, 254, 255}
    assert {m.value for m in LogCompletion} == codes


def test_tap_to_unlock_error_covers_the_documented_codes() -> None:
    """Swagger 4.20.0 SmartlockLog.state, "for source=3 and trigger=253"."""
    assert {m.value for m in TapToUnlockError} == {0, 1, 2, 3, 7, 37, 255}


@pytest.mark.parametrize(
    ("device_type", "variant", "expected"),
    [
        (DeviceType.SMARTLOCK_1_2, None, "Smart Lock 1.0/2.0"),
        (DeviceType.BOX, None, "Box"),
        (DeviceType.OPENER, None, "Opener"),
        (DeviceType.SMARTDOOR, None, "Smart Door"),
        (DeviceType.SMARTLOCK_3_4, None, "Smart Lock 3.0/4.0"),
        (DeviceType.SMARTLOCK_5, ProductVariant.GO, "Smart Lock 5 Go"),
        (DeviceType.SMARTLOCK_5, ProductVariant.PRO, "Smart Lock 5 Pro"),
        (DeviceType.SMARTLOCK_5, ProductVariant.ULTRA, "Smart Lock 5 Ultra"),
        (DeviceType.SMARTLOCK_5, ProductVariant(7), "Smart Lock 5"),
        (DeviceType.SMARTLOCK_5, None, "Smart Lock 5"),
        (DeviceType(9), None, "Nuki device (type 9)"),
    ],
)
def test_model_name(device_type: DeviceType, variant: ProductVariant | None, expected: str) -> None:
    assert model_name(device_type, variant) == expected
