"""Optimistic writes: show a written value at once, confirm it by reads, give it up with a warning.

Nuki answers a write with 204 and applies it later. The caller brings the timers and the
background tasks (a ``Scheduler``: Home Assistant's, so that they end with it).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

from .client import NukiWebApiClient
from .models import Smartlock
from .settings import Setting

_LOGGER = logging.getLogger(__name__)

# What ``reported`` returns for a key whose device or authorization left: dropped silently.
GONE: Final = object()

type Cancel = Callable[[], None]


class Scheduler(Protocol):
    """Runs the timers and the confirming reads."""

    def call_later(self, delay: float, action: Callable[[], None]) -> Cancel:
        """Call ``action`` in ``delay`` seconds, unless the returned function cancels it."""

    def spawn(self, job: Coroutine[object, object, None]) -> None:
        """Run ``job`` in the background."""


@dataclass(slots=True)
class _Pending[V]:
    value: V
    device: str
    label: str
    cancel: Cancel


class Optimistic[K: Hashable, V]:
    """Written values, shown until a read confirms them or the last of ``delays`` passes.

    ``check`` runs after every read: it drops the values that ``reported`` now shows and those
    whose owner is GONE. At each of ``delays`` (seconds after the write) ``read`` runs, if
    given; a value unconfirmed after the last is given up with a warning, and ``changed``
    lets the entities show what Nuki reports. Subclasses may hook ``_confirmed``/``_expired``.
    """

    def __init__(
        self,
        scheduler: Scheduler,
        what: str,
        reported: Callable[[K], object],
        changed: Callable[[], None],
        *,
        delays: tuple[float, ...],
        read: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Name the writes ``what`` in the warning ("the setting")."""
        self._scheduler, self._what = scheduler, what
        self._reported, self._changed = reported, changed
        self._delays, self._read = delays, read
        self._pending: dict[K, _Pending[V]] = {}

    def get(self, key: K) -> V | None:
        """Return the value written to ``key`` and not yet confirmed, if any."""
        pending = self._pending.get(key)
        return None if pending is None else pending.value

    def expect(self, key: K, value: V, device: str, label: str) -> None:
        """Show ``value`` (written to ``device``'s ``label``) until a read confirms it."""
        self._drop(key)
        if self._reported(key) == value:
            self._confirmed(key)
        else:
            self._pending[key] = _Pending(value, device, label, self._schedule(key, 0))

    def check(self) -> None:
        """Drop the values the last read confirms, and those of devices or auths that left."""
        for key, pending in list(self._pending.items()):
            if (reported := self._reported(key)) is GONE:
                self._drop(key)
            elif reported == pending.value:
                self._drop(key)
                self._confirmed(key)

    def cancel_all(self) -> None:
        """Stop every timer (the values stay shown until the owner goes)."""
        for key in list(self._pending):
            self._drop(key)

    def _confirmed(self, key: K) -> None:
        """Call when a read shows the value written to ``key``."""

    def _expired(self, key: K, device: str, label: str) -> None:
        """Call when the value written to ``key`` is given up (after the warning)."""

    def _schedule(self, key: K, step: int) -> Cancel:
        previous = self._delays[step - 1] if step else 0.0
        return self._scheduler.call_later(
            self._delays[step] - previous, lambda: self._due(key, step)
        )

    def _due(self, key: K, step: int) -> None:
        if self._read is None:
            self._give_up(key)
        else:
            self._scheduler.spawn(self._async_read(key, step, self._pending.get(key), self._read))

    async def _async_read(
        self, key: K, step: int, pending: _Pending[V] | None, read: Callable[[], Awaitable[None]]
    ) -> None:
        await read()
        if pending is None or self._pending.get(key) is not pending:
            return  # confirmed meanwhile, or written again (with its own timer)
        if step + 1 < len(self._delays):
            pending.cancel = self._schedule(key, step + 1)
        else:
            self._give_up(key)

    def _give_up(self, key: K) -> None:
        pending = self._pending.pop(key)
        _LOGGER.warning(
            "%s did not apply %s %s within %.0f s; showing the reported value",
            pending.device,
            self._what,
            pending.label,
            self._delays[-1],
        )
        self._expired(key, pending.device, pending.label)
        self._changed()

    def _drop(self, key: K) -> None:
        if (pending := self._pending.pop(key, None)) is not None:
            pending.cancel()


type SettingKey = tuple[int, Setting]


class SettingWrites(Optimistic[SettingKey, int]):
    """The settings written to one account's devices; reads of ``devices`` confirm them.

    A write sends the complete config object with one field changed (nothing else gets
    reset), and with the values of its other fields that are still unconfirmed.
    """

    def __init__(
        self,
        scheduler: Scheduler,
        devices: Callable[[], Mapping[int, Smartlock]],
        changed: Callable[[], None],
        *,
        timeout: float,
    ) -> None:
        """Give a value up when the device has not reported it ``timeout`` seconds later."""
        super().__init__(scheduler, "the setting", self._reported_value, changed, delays=(timeout,))
        self._devices = devices

    def value(self, device: Smartlock, setting: Setting) -> int | None:
        """Return the value written last and not yet confirmed, else the reported one."""
        pending = self.get((device.smartlock_id, setting))
        return setting.get(device) if pending is None else pending

    async def async_write(
        self,
        client: NukiWebApiClient,
        device: Smartlock,
        setting: Setting,
        value: int,
        *,
        name: str,
        label: str | None,
    ) -> None:
        """Send the config object with ``value`` (and earlier unconfirmed writes), then show it."""
        obj = setting.obj
        unconfirmed = {
            other.field: pending.value
            for (smartlock_id, other), pending in self._pending.items()
            if smartlock_id == device.smartlock_id and other.obj == obj
        }
        body = obj.body(device, {**unconfirmed, setting.field: value})
        await obj.write(client, device.smartlock_id, body)
        self.remember(device, setting, value, name=name, label=label)

    def remember(
        self, device: Smartlock, setting: Setting, value: int, *, name: str, label: str | None
    ) -> None:
        """Show ``value`` until the device reports it (nothing to show while Nuki hides it).

        ``name`` (the device's) and ``label`` (the entity's) name the setting in the warning.
        """
        if setting.obj.model(device) is not None:
            self.expect(
                (device.smartlock_id, setting),
                value,
                name,
                label or f"{setting.obj.name}.{setting.field}",
            )

    def _reported_value(self, key: SettingKey) -> object:
        smartlock_id, setting = key
        if (device := self._devices().get(smartlock_id)) is None:
            return GONE
        raw = setting.obj.raw(device)
        return None if raw is None else raw.get(setting.field)
