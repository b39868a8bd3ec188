"""Switch entities: the Opener's continuous mode, plus the setting and authorization switches.

Those live in config_switch.py and auth_switch.py; this platform adds them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, override

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import DeviceMode, OpenerAction, Smartlock
from .auth_switch import async_add_auth_switches
from .config_switch import async_add_config_switches
from .coordinator import NukiConfigEntry
from .entity import NukiEntity, NukiEntityDescription, async_add_nuki_entities, is_opener

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class NukiSwitchEntityDescription(SwitchEntityDescription, NukiEntityDescription):
    """A switch: its state and the action codes that turn it on and off."""

    is_on_fn: Callable[[Smartlock], bool | None]
    on_action: int
    off_action: int


def _continuous_mode(device: Smartlock) -> bool | None:
    return None if device.state is None else device.state.mode == DeviceMode.CONTINUOUS


SWITCHES: tuple[NukiSwitchEntityDescription, ...] = (
    NukiSwitchEntityDescription(
        key="continuous_mode",
        translation_key="continuous_mode",
        exists_fn=is_opener,
        is_on_fn=_continuous_mode,
        on_action=OpenerAction.ACTIVATE_CONTINUOUS_MODE,
        off_action=OpenerAction.DEACTIVATE_CONTINUOUS_MODE,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: NukiConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the switches, now and when a device appears."""
    async_add_nuki_entities(entry, async_add_entities, SWITCHES, NukiSwitch)
    async_add_config_switches(entry, async_add_entities)
    await async_add_auth_switches(hass, entry, async_add_entities)


class NukiSwitch(NukiEntity, SwitchEntity):
    """A switch that sends one Nuki action to turn on and another to turn off."""

    entity_description: NukiSwitchEntityDescription

    @property
    @override
    def is_on(self) -> bool | None:
        """Whether the switch is on."""
        return self.entity_description.is_on_fn(self.device)

    @override
    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on."""
        await self.async_send_action(self.entity_description.on_action)

    @override
    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off."""
        await self.async_send_action(self.entity_description.off_action)
