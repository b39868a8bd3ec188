"""Optimistic writes without Home Assistant: shown at once, confirmed by reads, given up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field

import pytest

from custom_components.nuki_web_api.api import NukiWebApiClient, Smartlock
from custom_components.nuki_web_api.api.optimistic import GONE, Optimistic, SettingWrites
from custom_components.nuki_web_api.api.settings import BATTERY_WARNING, LED_BRIGHTNESS, LED_ENABLED

from . import payloads
from .conftest import FakeNuki


@dataclass
class Timer:
    delay: float
    action: Callable[[], None]
    cancelled: bool = False


@dataclass
class FakeScheduler:
    """Keeps the timers for the test to fire; runs the reads as tasks."""

    timers: list[Timer] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def call_later(self, delay: float, action: Callable[[], None]) -> Callable[[], None]:
        timer = Timer(delay, action)
        self.timers.append(timer)
        return lambda: setattr(timer, "cancelled", True)

    def spawn(self, job: Coroutine[object, object, None]) -> None:
        self.tasks.append(asyncio.ensure_future(job))

    @property
    def live(self) -> list[Timer]:
        return [timer for timer in self.timers if not timer.cancelled]

    async def fire(self) -> float:
        """Fire the one live timer and let the reads it starts finish; return its delay."""
        (timer,) = self.live
        timer.cancelled = True
        timer.action()
        await asyncio.gather(*self.tasks)
        return timer.delay


class Recorder(Optimistic[str, bool]):
    """Optimistic over a dict of reported values, recording the hooks."""

    def __init__(
        self, scheduler: FakeScheduler, delays: tuple[float, ...], *, reads: bool = False
    ) -> None:
        self.reported: dict[str, bool] = {"a": False}
        self.events: list[str] = []
        self.reads = 0
        self.gate: asyncio.Event | None = None  # set: a read waits for it
        super().__init__(
            scheduler,
            "the change to",
            lambda key: self.reported.get(key, GONE),
            lambda: self.events.append("changed"),
            delays=delays,
            read=self.reread if reads else None,
        )

    async def reread(self) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.reads += 1
        self.check()

    def _confirmed(self, key: str) -> None:
        self.events.append(f"confirmed {key}")

    def _expired(self, key: str, device: str, label: str) -> None:
        self.events.append(f"expired {key} {device} {label}")


def test_shown_until_a_read_confirms() -> None:
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (60.0,))
    writes.expect("a", True, "Front door", "LED")
    assert writes.get("a") is True
    writes.check()  # the read still shows the old value
    assert writes.get("a") is True
    writes.reported["a"] = True
    writes.check()
    assert writes.get("a") is None
    assert writes.events == ["confirmed a"]
    assert not scheduler.live  # the timer went with the value


def test_a_value_reported_already_is_confirmed_at_once() -> None:
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (60.0,))
    writes.expect("a", False, "Front door", "LED")
    assert writes.get("a") is None
    assert writes.events == ["confirmed a"]
    assert not scheduler.timers


def test_a_value_whose_owner_left_is_dropped_silently() -> None:
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (60.0,))
    writes.expect("a", True, "Front door", "LED")
    del writes.reported["a"]
    writes.check()
    assert writes.get("a") is None
    assert writes.events == []
    assert not scheduler.live


async def test_given_up_with_a_warning_after_the_delay(caplog: pytest.LogCaptureFixture) -> None:
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (60.0,))
    writes.expect("a", True, "Front door", "LED")
    with caplog.at_level(logging.WARNING):
        assert await scheduler.fire() == 60.0
    assert writes.get("a") is None
    assert writes.events == ["expired a Front door LED", "changed"]
    assert "Front door did not apply the change to LED within 60 s" in caplog.text


async def test_reads_at_each_delay_then_given_up() -> None:
    """A timer per delay, each counted from the one before; a read at each."""
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (3.0, 8.0), reads=True)
    writes.expect("a", True, "Front door", "Key fob")
    assert await scheduler.fire() == 3.0
    assert writes.reads == 1
    assert writes.get("a") is True
    assert await scheduler.fire() == 5.0
    assert writes.reads == 2
    assert writes.get("a") is None
    assert writes.events == ["expired a Front door Key fob", "changed"]
    assert not scheduler.live


async def test_a_read_that_confirms_ends_the_reads() -> None:
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (3.0, 8.0), reads=True)
    writes.expect("a", True, "Front door", "Key fob")
    writes.reported["a"] = True
    await scheduler.fire()
    assert writes.events == ["confirmed a"]
    assert not scheduler.live


async def test_a_value_written_again_during_a_read_keeps_its_own_timer() -> None:
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (3.0, 8.0), reads=True)
    writes.expect("a", True, "Front door", "Key fob")
    writes.gate = asyncio.Event()
    (timer,) = scheduler.live
    timer.cancelled = True
    timer.action()
    writes.expect("a", True, "Front door", "Key fob")  # written again while the read runs
    writes.gate.set()
    await asyncio.gather(*scheduler.tasks)
    assert [timer.delay for timer in scheduler.live] == [3.0]  # only the new write's timer
    assert writes.get("a") is True


def test_cancel_all_stops_the_timers() -> None:
    scheduler = FakeScheduler()
    writes = Recorder(scheduler, (60.0,))
    writes.reported["b"] = False
    writes.expect("a", True, "Front door", "LED")
    writes.expect("b", True, "Front door", "Button")
    writes.cancel_all()
    assert not scheduler.live


async def test_setting_write_sends_the_unconfirmed_fields_of_the_object(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    """A second write to the same config object keeps the first one's unconfirmed value."""
    device = Smartlock.from_json(payloads.SMARTLOCK_3_4)
    writes = SettingWrites(
        FakeScheduler(), lambda: {device.smartlock_id: device}, lambda: None, timeout=60.0
    )
    await writes.async_write(client, device, LED_ENABLED, False, name="Front door", label=None)
    await writes.async_write(client, device, LED_BRIGHTNESS, 1, name="Front door", label="LED")
    first, second = (request.json for request in nuki_server.requests)
    assert first["ledEnabled"] is False
    assert (second["ledEnabled"], second["ledBrightness"]) == (False, 1)
    assert writes.value(device, LED_ENABLED) is False
    assert writes.value(device, LED_BRIGHTNESS) == 1
    assert LED_BRIGHTNESS.get(device) == 3  # the device still reports its old value


def test_setting_without_its_object_is_not_shown() -> None:
    """Nuki hides an object the account may not see: nothing to show, nothing to confirm."""
    device = Smartlock.from_json(payloads.SMARTLOCK_3_4)  # without a webConfig
    scheduler = FakeScheduler()
    writes = SettingWrites(scheduler, dict, lambda: None, timeout=60.0)
    writes.remember(device, BATTERY_WARNING, True, name="Front door", label=None)
    assert writes.value(device, BATTERY_WARNING) is None
    assert not scheduler.timers
