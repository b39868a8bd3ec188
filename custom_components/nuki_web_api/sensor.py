"""Sensor entities: battery level, door state and the last actor."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import override

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.helpers.typing import StateType

from .api import DoorState, Smartlock, SmartlockLog, actor_name, code_name
from .entity import NukiEntity, NukiEntityDescription, nuki_platform

PARALLEL_UPDATES = 0

# Door sensor states; 4 and 255 ("door state unknown", "unknown") and future codes are unknown.
DOOR_STATES: Mapping[int | None, str] = {
    DoorState.UNAVAILABLE: "not_paired",
    DoorState.DEACTIVATED: "deactivated",
    DoorState.CLOSED: "closed",
    DoorState.OPENED: "opened",
    DoorState.CALIBRATING: "calibrating",
    DoorState.UNCALIBRATED: "uncalibrated",
    DoorState.REMOVED: "removed",
}


@dataclass(frozen=True, kw_only=True)
class NukiSensorEntityDescription(SensorEntityDescription, NukiEntityDescription):
    """A sensor: its value (and attributes) from the device and its newest actor log entry."""

    value_fn: Callable[[Smartlock, SmartlockLog | None], StateType]
    attributes_fn: Callable[[SmartlockLog | None], Mapping[str, str | None] | None] = lambda _: None


def _last_actor_attributes(log: SmartlockLog | None) -> Mapping[str, str | None] | None:
    if log is None:
        return None
    return {
        "action": code_name(log.action),
        "trigger": code_name(log.trigger),
        "source": code_name(log.source),
    }


SENSORS: tuple[NukiSensorEntityDescription, ...] = (
    NukiSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda device: (
            device.state is not None and device.state.battery_charge is not None
        ),
        value_fn=lambda device, _: None if device.state is None else device.state.battery_charge,
    ),
    NukiSensorEntityDescription(
        key="door_state",
        translation_key="door_state",
        device_class=SensorDeviceClass.ENUM,
        # The Door binary sensor shows open/closed; this detail (calibrating, removed …) is opt-in.
        entity_registry_enabled_default=False,
        options=list(DOOR_STATES.values()),
        exists_fn=Smartlock.has_door_sensor,
        value_fn=lambda device, _: (
            None if device.state is None else DOOR_STATES.get(device.state.door_state)
        ),
    ),
    NukiSensorEntityDescription(
        key="last_actor",
        translation_key="last_actor",
        # The lock's changed_by and the activity's logbook sentence say the same; enabled,
        # it adds a logbook line to each operation.
        entity_registry_enabled_default=False,
        value_fn=lambda _, log: actor_name(log),
        attributes_fn=_last_actor_attributes,
    ),
)


class NukiSensor(NukiEntity, SensorEntity):
    """A sensor read from the coordinator's snapshot."""

    entity_description: NukiSensorEntityDescription

    @property
    @override
    def native_value(self) -> StateType:
        return self.entity_description.value_fn(self.device, self.actor_log)

    @property
    @override
    def extra_state_attributes(self) -> Mapping[str, str | None] | None:
        return self.entity_description.attributes_fn(self.actor_log)


async_setup_entry = nuki_platform(SENSORS, NukiSensor)
