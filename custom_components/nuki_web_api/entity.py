"""The one base entity class of the integration: device info, availability, device lookup."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from functools import partial
from typing import override

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import DeviceType, Smartlock, SmartlockLog, nuki_id
from .const import DOMAIN
from .coordinator import NukiConfigEntry, NukiCoordinator
from .helpers import async_device_action, async_run_action

MANUFACTURER = "Nuki Home Solutions"
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

    ``exists_fn`` (optional hardware, device type) is asked again on every refresh until it
    says yes: hardware paired later (a keypad, a door sensor) gets its entities without a reload.
    """

    exists_fn: Callable[[Smartlock], bool] = _always
    # False for an entity that stays available while Nuki refuses the device for lack of
    # Smart Hosting (it tells that, from the device list's error item).
    needs_smart_hosting: bool = True


def device_info(coordinator: NukiCoordinator, device: Smartlock) -> DeviceInfo:
    """Describe the device for the device registry.

    Without Smart Hosting Nuki sends placeholders: the registry's model (it knows the Smart Lock
    5 variant, which the id does not tell) is kept.
    """
    model = (
        coordinator.device_model(device.smartlock_id)
        if device.smart_hosting_missing
        else device.model
    )
    info = DeviceInfo(
        identifiers={(DOMAIN, str(device.smartlock_id))},
        name=coordinator.device_name(device.smartlock_id),
        manufacturer=MANUFACTURER,
        model=model,
        serial_number=nuki_id(device.smartlock_id),
        configuration_url=CONFIGURATION_URL,
    )
    if device.firmware is not None:
        info["sw_version"] = device.firmware
    if device.hardware_version is not None:
        info["hw_version"] = str(device.hardware_version)
    return info


def _registry_fields(device: Smartlock) -> tuple[str | None, str, str | None, int | None]:
    """Return what device_info takes from the device that can change (name, model, versions)."""
    return (device.name, device.model, device.firmware, device.hardware_version)


@callback
def async_keep_device_registry(entry: NukiConfigEntry) -> CALLBACK_TYPE:
    """Carry a rename or firmware update in Nuki into the registry, once per changed device.

    Not from a device without Smart Hosting: its item holds only placeholders, and the
    registry keeps the last known name, model and versions. A ``model_id`` stored by earlier
    versions (Nuki's type number, shown as "Opener (2)") is cleared.
    """
    coordinator = entry.runtime_data.coordinator
    registry = dr.async_get(coordinator.hass)
    seen: dict[int, Smartlock] = {}

    @callback
    def _update() -> None:
        nonlocal seen
        before, seen = seen, coordinator.data.devices
        for smartlock_id, device in seen.items():
            old = before.get(smartlock_id)
            if old is not None and (
                device is old or _registry_fields(device) == _registry_fields(old)
            ):
                continue
            known = registry.async_get_device_by_identifier(
                (DOMAIN, str(smartlock_id)), entry.entry_id
            )
            if known is None:
                continue
            if device.smart_hosting_missing:
                if known.model_id is not None:
                    registry.async_update_device(known.id, model_id=None)
                continue
            info = device_info(coordinator, device)
            name, model = info.get("name"), info.get("model")
            sw_version, hw_version = info.get("sw_version"), info.get("hw_version")
            if (known.name, known.model, known.model_id, known.sw_version, known.hw_version) != (
                name,
                model,
                None,
                sw_version,
                hw_version,
            ):
                registry.async_update_device(
                    known.id,
                    name=name,
                    model=model,
                    model_id=None,
                    sw_version=sw_version,
                    hw_version=hw_version,
                )

    return coordinator.async_add_listener(_update)


class NukiEntity(CoordinatorEntity[NukiCoordinator]):
    """An entity of one Nuki device, described by an entity description."""

    entity_description: NukiEntityDescription
    _attr_has_entity_name = True
    # What the state written last was made of (see _handle_coordinator_update).
    _written: tuple[object, ...] | None = None

    def __init__(
        self,
        coordinator: NukiCoordinator,
        smartlock_id: int,
        description: NukiEntityDescription,
    ) -> None:
        """Bind the entity to its device; the device's id is the listener's context.

        The coordinator calls the entity only when the device changed (async_update_listeners).
        """
        super().__init__(coordinator, smartlock_id)
        self.entity_description = description
        self.smartlock_id = smartlock_id
        self._attr_unique_id = f"{smartlock_id}_{description.key}"
        self._attr_device_info = device_info(coordinator, coordinator.data.devices[smartlock_id])

    @override
    async def async_added_to_hass(self) -> None:
        """Note what Home Assistant writes next (see _handle_coordinator_update)."""
        await super().async_added_to_hass()
        self._remember_shown()

    @property
    def device(self) -> Smartlock:
        """The device as of the latest refresh (only valid while the entity is available)."""
        return self.coordinator.data.devices[self.smartlock_id]

    @property
    def actor_log(self) -> SmartlockLog | None:
        """The newest log entry, seen since setup, in which someone operated the device."""
        return self.coordinator.data.actors.get(self.smartlock_id)

    @callback
    @override
    def _handle_coordinator_update(self) -> None:
        """Write the state only when what the entity shows changed.

        Of the entities of a changed device most show the same as before, and Home Assistant's
        state write is the dominant cost of a cycle.
        """
        if self._remember_shown():
            self.async_write_ha_state()

    def _remember_shown(self) -> bool:
        """Tell whether what the entity shows changed since the last write (and note it)."""
        shown = self._shown(self.available)
        if shown == self._written:
            return False
        self._written = shown
        return True

    def _shown(self, available: bool) -> tuple[object, ...]:
        """Return the parts of the entity's Home Assistant state that can change at runtime."""
        if not available:
            return (False,)
        return (True, self.state, self.state_attributes, self.extra_state_attributes)

    @property
    def available(self) -> bool:
        """Unavailable when the refresh failed, the device left, lacks Smart Hosting or data."""
        data = self.coordinator.data
        return (
            super().available
            and self.smartlock_id in data.devices
            and not (
                self.entity_description.needs_smart_hosting
                and self.smartlock_id in data.smart_hosting_missing
            )
            and self.smartlock_id not in data.unavailable
        )

    async def async_send_action(self, action: int) -> None:
        """Send a Nuki action code to the device; failures raise translated errors."""
        await async_run_action(
            self.coordinator,
            self.smartlock_id,
            partial(async_device_action, self.coordinator, self.smartlock_id, action),
        )


def async_add_nuki_entities[D: NukiEntityDescription](
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    entity_factory: Callable[[NukiCoordinator, int, D], Entity],
) -> None:
    """Add the entities of every device now, and after each refresh those that became due.

    An entity becomes due when its device appears or ``exists_fn`` turns true (hardware paired
    later). A device that left (the coordinator removed its entities) is added anew if it returns.
    """
    coordinator = entry.runtime_data.coordinator
    descriptions = tuple(descriptions)
    # Per device: the object it was last checked with (an identical one needs no check), and
    # the keys of the entities added.
    known: dict[int, tuple[Smartlock, set[str]]] = {}

    @callback
    def _add_new() -> None:
        devices = coordinator.data.devices
        for gone in known.keys() - devices.keys():
            del known[gone]
        new: list[Entity] = []
        for smartlock_id, device in devices.items():
            checked, added = known.get(smartlock_id, (None, set[str]()))
            if checked is device:
                continue
            known[smartlock_id] = (device, added)
            for description in descriptions:
                if description.key not in added and description.exists_fn(device):
                    added.add(description.key)
                    new.append(entity_factory(coordinator, smartlock_id, description))
        if new:
            async_add_entities(new)

    _add_new()
    entry.async_on_unload(coordinator.async_add_listener(_add_new))


type PlatformSetup = Callable[
    [HomeAssistant, NukiConfigEntry, AddConfigEntryEntitiesCallback], Coroutine[None, None, None]
]


def nuki_platform[D: NukiEntityDescription](
    descriptions: Iterable[D], entity_factory: Callable[[NukiCoordinator, int, D], Entity]
) -> PlatformSetup:
    """Return the ``async_setup_entry`` of a platform whose entities are ``descriptions``."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: NukiConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        async_add_nuki_entities(entry, async_add_entities, descriptions, entity_factory)

    return async_setup_entry
