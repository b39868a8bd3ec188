"""Binary sensors: door, batteries, keypad tamper, ring to open, night mode, Smart Hosting, connection."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import override

from homeassistant.components.binary_sensor import BinarySensorEntity, BinarySensorEntityDescription
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.util import dt as dt_util

from .api import DoorState, KeypadMountingState, OpenerState, ServerState, Smartlock, SmartlockState
from .api.authorizations import keypad_paired
from .entity import NukiEntity, NukiEntityDescription, is_opener, nuki_platform

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class NukiBinarySensorEntityDescription(BinarySensorEntityDescription, NukiEntityDescription):
    """A binary sensor: its value from the device."""

    is_on_fn: Callable[[Smartlock], bool | None]


# Door open or closed; the other door states are unknown.
_DOOR_OPEN: Mapping[int | None, bool] = {DoorState.OPENED: True, DoorState.CLOSED: False}
# Keypad moved (dismounted) or theft detected: tampered; mounted: not; anything else unknown.
_KEYPAD_TAMPERED: Mapping[int | None, bool] = {
    KeypadMountingState.MOVED: True,
    KeypadMountingState.THEFT_DETECTED: True,
    KeypadMountingState.MOUNTED: False,
}


def _from_state(
    read: Callable[[SmartlockState], bool | None],
) -> Callable[[Smartlock], bool | None]:
    """Read a value of ``state``; unknown while the device reports no state."""
    return lambda device: None if device.state is None else read(device.state)


def _reports(read: Callable[[SmartlockState], object]) -> Callable[[Smartlock], bool]:
    """Whether the device reports a value of ``state`` at all (the hardware exists)."""
    return lambda device: device.state is not None and read(device.state) is not None


def _ring_to_open(state: SmartlockState) -> bool:
    end = state.ring_to_open_end
    return state.state == OpenerState.RING_TO_OPEN_ACTIVE or (
        end is not None and end > dt_util.utcnow()
    )


def _has_keypad(device: Smartlock) -> bool:
    return bool(keypad_paired(device))


BINARY_SENSORS: tuple[NukiBinarySensorEntityDescription, ...] = (
    NukiBinarySensorEntityDescription(
        key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        exists_fn=Smartlock.has_door_sensor,
        is_on_fn=_from_state(lambda state: _DOOR_OPEN.get(state.door_state)),
    ),
    # Battery entities are named for the battery ("Keypad battery"), not its state: Home
    # Assistant's device triggers add "battery low" to the name.
    NukiBinarySensorEntityDescription(
        key="battery_critical",
        device_class=BinarySensorDeviceClass.BATTERY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=_from_state(lambda state: state.battery_critical),
    ),
    NukiBinarySensorEntityDescription(
        key="battery_charging",
        device_class=BinarySensorDeviceClass.BATTERY_CHARGING,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=_reports(lambda state: state.battery_charging),
        is_on_fn=_from_state(lambda state: state.battery_charging),
    ),
    NukiBinarySensorEntityDescription(
        key="keypad_battery_critical",
        translation_key="keypad_battery_critical",
        device_class=BinarySensorDeviceClass.BATTERY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=_has_keypad,
        is_on_fn=_from_state(lambda state: state.keypad_battery_critical),
    ),
    NukiBinarySensorEntityDescription(
        key="keypad_tamper",
        translation_key="keypad_tamper",
        device_class=BinarySensorDeviceClass.TAMPER,
        # Only keypads with theft detection report their mounting state.
        exists_fn=lambda device: (
            _has_keypad(device) and _reports(lambda state: state.keypad_mounting_state)(device)
        ),
        is_on_fn=_from_state(lambda state: _KEYPAD_TAMPERED.get(state.keypad_mounting_state)),
    ),
    NukiBinarySensorEntityDescription(
        key="door_sensor_battery_critical",
        translation_key="door_sensor_battery_critical",
        device_class=BinarySensorDeviceClass.BATTERY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=Smartlock.has_door_sensor,
        is_on_fn=_from_state(lambda state: state.doorsensor_battery_critical),
    ),
    NukiBinarySensorEntityDescription(
        key="ring_to_open",
        translation_key="ring_to_open",
        exists_fn=is_opener,
        is_on_fn=_from_state(_ring_to_open),
    ),
    NukiBinarySensorEntityDescription(
        key="night_mode",
        translation_key="night_mode",
        is_on_fn=_from_state(lambda state: state.night_mode),
    ),
    # Tells on the device page why its other entities are unavailable: Nuki refuses a device
    # without a Smart Hosting subscription (an error item in the device list). On ("OK")
    # means Nuki serves the device, which need not mean it has a subscription of its own.
    NukiBinarySensorEntityDescription(
        key="smart_hosting",
        translation_key="smart_hosting",
        entity_category=EntityCategory.DIAGNOSTIC,
        needs_smart_hosting=False,
        is_on_fn=lambda device: not device.smart_hosting_missing,
    ),
    NukiBinarySensorEntityDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=lambda device: (
            None if device.server_state is None else device.server_state != ServerState.OFFLINE
        ),
    ),
)


class NukiBinarySensor(NukiEntity, BinarySensorEntity):
    """A binary sensor read from the coordinator's snapshot."""

    entity_description: NukiBinarySensorEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        return self.entity_description.is_on_fn(self.device)


async_setup_entry = nuki_platform(BINARY_SENSORS, NukiBinarySensor)
