"""Which reads follow an action: passing states and how long a device holds one."""

import pytest

from custom_components.nuki_web_api.api import (
    FOLLOW_UP_MAX_HOLD,
    FOLLOW_UP_STEP,
    Smartlock,
    hold,
    is_passing,
)


def _device(device_type: int, state: int, **configs: dict[str, int]) -> Smartlock:
    return Smartlock.from_json(
        {
            "smartlockId": 1,
            "type": device_type,
            "state": {"mode": 2, "state": state, "trigger": 0, "lastAction": 1},
            **configs,
        }
    )


@pytest.mark.parametrize(
    ("device_type", "state", "passing"),
    [
        (4, 2, True),  # unlocking
        (4, 4, True),  # locking
        (4, 7, True),  # unlatching
        (4, 5, True),  # unlatched: the latch comes back by itself
        (4, 6, True),  # unlocked (lock 'n' go): locks by itself
        (4, 1, False),  # locked
        (4, 3, False),  # unlocked
        (2, 7, True),  # Opener opening
        (2, 5, True),  # Opener open
        (2, 3, False),  # Opener ring to open active
    ],
)
def test_passing_states(device_type: int, state: int, passing: bool) -> None:
    """Moving states, and those the device leaves by itself (Nuki's state table)."""
    assert is_passing(_device(device_type, state)) is passing


def test_no_state_is_not_passing() -> None:
    device = Smartlock.from_json({"smartlockId": 1, "type": 4})
    assert not is_passing(device)
    assert hold(device) is None


@pytest.mark.parametrize(
    ("device", "expected"),
    [
        (_device(4, 5, advancedConfig={"unlatchDuration": 5}), 5.0),
        (_device(3, 5, smartdoorAdvancedConfig={"unlatchDuration": 7}), 7.0),
        (_device(4, 6, advancedConfig={"lngTimeout": 20}), 20.0),
        (_device(2, 5, openerAdvancedConfig={"electricStrikeDuration": 3000}), 3.0),
        (_device(4, 5, advancedConfig={"unlatchDuration": 0}), FOLLOW_UP_STEP),
        (_device(2, 5, openerAdvancedConfig={"electricStrikeDuration": 10**9}), FOLLOW_UP_MAX_HOLD),
        (_device(4, 5), None),  # no advancedConfig: the device does not say
        (_device(4, 3, advancedConfig={"unlatchDuration": 5}), None),  # holds nothing
        (_device(2, 3, openerAdvancedConfig={"electricStrikeDuration": 3000}), None),
    ],
)
def test_hold_follows_the_device_settings(device: Smartlock, expected: float | None) -> None:
    """Swagger 4.20.0: unlatchDuration (s), lngTimeout (s), electricStrikeDuration (ms)."""
    assert hold(device) == expected
