"""The one base entity class of the integration: device info, availability, device lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import override

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import DeviceType, LogAction, LogCompletion, Smartlock, SmartlockLog
from .const import DOMAIN
from .coordinator import NukiConfigEntry, NukiCoordinator

MANUFACTURER = "Nuki Home Solutions"

# Log actions in which someone operated the device (Opener: ring to open and the strike).
ACTOR_ACTIONS = frozenset(
    {
        LogAction.UNLOCK,
        LogAction.LOCK,
        LogAction.UNLATCH,
        LogAction.LOCK_N_GO,
        LogAction.LOCK_N_GO_UNLATCH,
    }
)
CONFIGURATION_URL = "https://web.nuki.io"


def _always(_: Smartlock) -> bool:
    return True


def is_opener(device: Smartlock) -> bool:
    """Whether the device is an Opener (type 2)."""
    return device.type is DeviceType.OPENER


def is_lock(device: Smartlock) -> bool:
    """Whether the device is a lock: every type but Box and Opener, future types included."""
    return device.type not in (DeviceType.BOX, DeviceType.OPENER)


@dataclass(frozen=True, kw_only=True)
class NukiEntityDescription(EntityDescription):
    """Fields every description of this integration has.

    ``exists_fn`` decides whether a device gets the entity at all (optional hardware,
    device type); it is asked again on every refresh until it says yes, so hardware
    paired later (a keypad, a door sensor) gets its entities without a reload.
    """

    exists_fn: Callable[[Smartlock], bool] = _always


def nuki_id(smartlock_id: int) -> str:
    """Return the Nuki ID that the Nuki app shows: the last 8 hex digits of the smartlockId."""
    return f"{smartlock_id & 0xFFFFFFFF:08X}"


def device_info(coordinator: NukiCoordinator, device: Smartlock) -> DeviceInfo:
    """Describe the device for the device registry."""
    info = DeviceInfo(
        identifiers={(DOMAIN, str(device.smartlock_id))},
        name=coordinator.device_name(device.smartlock_id),
        manufacturer=MANUFACTURER,
        model=device.model,
        model_id=str(device.type.value),
        serial_number=nuki_id(device.smartlock_id),
        configuration_url=CONFIGURATION_URL,
    )
    if device.firmware is not None:
        info["sw_version"] = device.firmware
    if device.hardware_version is not None:
        info["hw_version"] = str(device.hardware_version)
    return info


class NukiEntity(CoordinatorEntity[NukiCoordinator]):
    """An entity of one Nuki device, described by an entity description."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: NukiCoordinator,
        smartlock_id: int,
        description: NukiEntityDescription,
    ) -> None:
        """Bind the entity to its device; the unique id is the smartlockId and the key."""
        super().__init__(coordinator)
        self.entity_description = description
        self.smartlock_id = smartlock_id
        self._attr_unique_id = f"{smartlock_id}_{description.key}"
        self._attr_device_info = device_info(coordinator, coordinator.data.devices[smartlock_id])
        self._actor_log: SmartlockLog | None = None
        self._remember_actor()

    @property
    def device(self) -> Smartlock:
        """The device as of the latest refresh (only valid while the entity is available)."""
        return self.coordinator.data.devices[self.smartlock_id]

    @property
    def actor_log(self) -> SmartlockLog | None:
        """The newest log entry, seen since setup, in which someone operated the device."""
        return self._actor_log

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        self._remember_actor()
        self._update_device_registry()
        super()._handle_coordinator_update()

    def _update_device_registry(self) -> None:
        """Carry a firmware update or a rename in Nuki into the device registry."""
        if self.device_entry is None or self.smartlock_id not in self.coordinator.data.devices:
            return
        registry = dr.async_get(self.hass)
        entry = registry.async_get(self.device_entry.id, include_child_devices=False)
        info = device_info(self.coordinator, self.device)
        wanted = (
            info.get("name"),
            info.get("model"),
            info.get("sw_version"),
            info.get("hw_version"),
        )
        if (
            entry is not None
            and (entry.name, entry.model, entry.sw_version, entry.hw_version) != wanted
        ):
            name, model, sw_version, hw_version = wanted
            registry.async_update_device(
                entry.id, name=name, model=model, sw_version=sw_version, hw_version=hw_version
            )

    def _remember_actor(self) -> None:
        """Keep the newest log entry in which someone operated the device.

        The cycle's new entries are looked at too, because a door event logged after an
        unlock in the same cycle would hide the unlock in ``last_log``.
        """
        data = self.coordinator.data
        candidates = [*data.new_logs, data.last_log.get(self.smartlock_id), self._actor_log]
        actors = [
            log
            for log in candidates
            if log is not None
            and log.smartlock_id == self.smartlock_id
            and log.action in ACTOR_ACTIONS
            and log.state == LogCompletion.SUCCESS
        ]
        if actors:
            self._actor_log = max(actors, key=lambda log: log.date)

    @property
    def available(self) -> bool:
        """Unavailable when the refresh failed, the device left or lacks Smart Hosting."""
        data = self.coordinator.data
        return (
            super().available
            and self.smartlock_id in data.devices
            and self.smartlock_id not in data.smart_hosting_missing
        )

    async def async_send_action(self, action: int) -> None:
        """Send a Nuki action code to the device; failures raise translated errors."""
        coordinator = self.coordinator
        await coordinator.async_run_action(
            self.smartlock_id, lambda: coordinator.async_device_action(self.smartlock_id, action)
        )


def async_add_nuki_entities[D: NukiEntityDescription](
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    entity_factory: Callable[[NukiCoordinator, int, D], Entity],
) -> None:
    """Add the entities of every device now, and after each refresh those that became due.

    An entity becomes due when its device appears or when ``exists_fn`` turns true
    (hardware paired later). A device that left the account had its registry entry and
    entities removed by the coordinator, so it is forgotten here and added anew if it returns.
    """
    coordinator = entry.runtime_data.coordinator
    descriptions = tuple(descriptions)
    added: set[tuple[int, str]] = set()

    @callback
    def _add_new() -> None:
        devices = coordinator.data.devices
        added.intersection_update(key for key in added if key[0] in devices)
        new: list[Entity] = []
        for smartlock_id, device in devices.items():
            for description in descriptions:
                key = (smartlock_id, description.key)
                if key not in added and description.exists_fn(device):
                    added.add(key)
                    new.append(entity_factory(coordinator, smartlock_id, description))
        if new:
            async_add_entities(new)

    _add_new()
    entry.async_on_unload(coordinator.async_add_listener(_add_new))
