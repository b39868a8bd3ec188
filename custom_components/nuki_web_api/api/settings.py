"""Nuki's writable config objects: where a device keeps each, how to write it back, its fields.

Nuki resets what a config write leaves out, so a write sends the complete object as last
reported with the changed fields, minus the fields the Swagger marks read-only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, Protocol, TypeVar

from .client import NukiWebApiClient
from .models import JsonObject, JsonValue, Smartlock


class _HasRaw(Protocol):
    @property
    def raw(self) -> JsonObject: ...


# Covariant, so that a Setting can refer to any config object: a PEP 695 parameter of a
# dataclass is inferred invariant (dataclasses.replace takes it).
_M_co = TypeVar("_M_co", bound=_HasRaw, covariant=True)


@dataclasses.dataclass(frozen=True, slots=True)
class ConfigObject(Generic[_M_co]):  # noqa: UP046 - see _M_co
    """One config object: the device's typed model of it and the client method that writes it."""

    name: str
    model: Callable[[Smartlock], _M_co | None]
    write: Callable[[NukiWebApiClient, int, JsonObject], Awaitable[None]]
    read_only: frozenset[str] = frozenset()

    def raw(self, device: Smartlock) -> JsonObject | None:
        """Return the object as the device last reported it (None if it has none)."""
        model = self.model(device)
        return None if model is None else model.raw

    def body(self, device: Smartlock, changes: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
        """Return the write body: the reported object without read-only fields, with ``changes``."""
        raw = self.raw(device) or {}
        return {**{k: v for k, v in raw.items() if k not in self.read_only}, **changes}

    def setting(self, field: str, get: Callable[[_M_co], int | None]) -> Setting:
        """Return the field ``field`` (Nuki's name) whose typed value ``get`` reads."""
        model = self.model
        return Setting(self, field, lambda device: None if (m := model(device)) is None else get(m))


@dataclasses.dataclass(frozen=True, slots=True)
class Setting:
    """One field of a config object: its name and its typed value (a bool, an int or a code).

    Settings of the same field are equal, whatever reads them.
    """

    obj: ConfigObject[_HasRaw]
    field: str
    get: Callable[[Smartlock], int | None] = dataclasses.field(compare=False)

    def exists(self, device: Smartlock) -> bool:
        """Whether the device reports the field."""
        raw = self.obj.raw(device)
        return raw is not None and self.field in raw


_OPERATION_ID = "operationId"  # read-only in every object

CONFIG = ConfigObject(
    "config",
    lambda device: device.config,
    NukiWebApiClient.update_config,
    frozenset(
        [
            "capabilities",
            "fobPaired",
            "fobAction1",
            "fobAction2",
            "fobAction3",
            "operatingMode",
            "keypadPaired",
            "keypad2Paired",
            "homekitState",
            "matterState",
            "deviceType",
            "wifiEnabled",
            "productVariant",
        ]
    )
    | {_OPERATION_ID},
)
ADVANCED_CONFIG = ConfigObject(
    "advancedConfig",
    lambda device: device.advanced_config,
    NukiWebApiClient.update_advanced_config,
    frozenset({"totalDegrees", _OPERATION_ID}),
)
OPENER_CONFIG = ConfigObject(
    "openerAdvancedConfig",
    lambda device: device.opener_advanced_config,
    NukiWebApiClient.update_opener_advanced_config,
    frozenset({"intercomId", "busModeSwitch", _OPERATION_ID}),
)
SMARTDOOR_CONFIG = ConfigObject(
    "smartdoorAdvancedConfig",
    lambda device: device.smartdoor_advanced_config,
    NukiWebApiClient.update_smartdoor_advanced_config,
    frozenset({"supportedBatteryTypes", _OPERATION_ID}),
)
WEB_CONFIG = ConfigObject(
    "webConfig", lambda device: device.web_config, NukiWebApiClient.update_web_config
)
