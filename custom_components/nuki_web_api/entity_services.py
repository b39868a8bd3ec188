"""The entity service actions: Lock 'n' Go on a lock, continuous mode on an Opener."""

from __future__ import annotations

from homeassistant.core import ServiceCall
from homeassistant.helpers.entity import Entity

from .api import LockAction, OpenerAction
from .entity import NukiEntity, is_lock, is_opener
from .service_targets import invalid


def _nuki_entity(entity: Entity) -> NukiEntity:
    if not isinstance(entity, NukiEntity):  # pragma: no cover - HA only passes our platform's
        raise invalid("not_nuki_entity", entity_id=entity.entity_id)
    return entity


async def async_lock_n_go(entity: Entity, call: ServiceCall) -> None:
    """Lock 'n' Go (optionally unlatching first) on a lock."""
    nuki = _nuki_entity(entity)
    if not is_lock(nuki.device):
        raise invalid("not_a_lock", entity_id=entity.entity_id)
    unlatch = call.data["unlatch"]
    await nuki.async_send_action(LockAction.LOCK_N_GO_UNLATCH if unlatch else LockAction.LOCK_N_GO)


async def async_set_continuous_mode(entity: Entity, call: ServiceCall) -> None:
    """Switch an Opener's continuous mode on or off."""
    nuki = _nuki_entity(entity)
    if not is_opener(nuki.device):
        raise invalid("not_an_opener", entity_id=entity.entity_id)
    enable = call.data["enable"]
    await nuki.async_send_action(
        OpenerAction.ACTIVATE_CONTINUOUS_MODE if enable else OpenerAction.DEACTIVATE_CONTINUOUS_MODE
    )
