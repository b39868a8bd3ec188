"""What stands per device in a write to several devices, and authorization writes read back.

api/ledger.py without Home Assistant: the bookkeeping alone, then AuthWrite against the
simulator (the integration's tests run the same through its service actions).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from custom_components.nuki_web_api.api import (
    NukiAuthError,
    NukiBadRequestError,
    NukiError,
    NukiServerError,
    NukiSmartHostingError,
    NukiWebApiClient,
    SmartlockAuth,
)
from custom_components.nuki_web_api.api import authorizations as rules
from custom_components.nuki_web_api.api.ledger import (
    AuthWrite,
    Ledger,
    NukiAuthWriteError,
    Stand,
    Verb,
    WriteProblem,
)
from simulator.testing import SimulatorServer

# The words of the integration's English translations; the ledger itself has none.
_COMMON = json.loads(
    (Path(__file__).parents[2] / "custom_components/nuki_web_api/translations/en.json").read_text()
)["common"]


def english(ledger: Ledger[str]) -> str | None:
    """What the ledger names, in the English words."""
    return ledger.describe(str.title, _COMMON.__getitem__)


FRONT = 17618910285  # keypad; Anna's code 456789
HOLIDAY = 18764230785  # no Smart Hosting


# --- the ledger -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "stand"),
    [
        (NukiBadRequestError("refused", status=400), Stand.UNCHANGED),
        (NukiAuthError("token"), Stand.UNCHANGED),
        (NukiSmartHostingError("no subscription"), Stand.UNCHANGED),
        (NukiServerError("bad gateway", status=502), Stand.UNCONFIRMED),  # may have applied
        (NukiError("unreadable answer"), Stand.UNCONFIRMED),
    ],
)
async def test_a_refused_request_leaves_the_devices_unchanged(
    error: NukiError, stand: Stand
) -> None:
    ledger = Ledger(["front", "cellar"], Verb.CREATED)
    with pytest.raises(type(error)):
        async with ledger.sending(["front"]):
            raise error
    assert "front" in ledger.standing(stand)
    assert "cellar" in ledger.standing(Stand.UNCHANGED)


def test_what_stands_is_named_only_where_the_error_does_not_tell() -> None:
    ledger = Ledger(["front", "cellar"], Verb.CREATED)
    assert english(ledger) is None  # nothing changed: the error says it all
    ledger.mark(["front"], Stand.CHANGED)
    ledger.mark(["cellar"], Stand.UNCONFIRMED)
    assert english(ledger) == "Front: created; Cellar: not confirmed (may still apply)"

    for stand in (Stand.UNCONFIRMED, Stand.LEFT):
        alone = Ledger(["front"], Verb.DELETED)
        alone.mark(["front"], stand)
        assert english(alone) is None
    alone.mark(["front"], Stand.CHANGED)
    assert english(alone) == "Front: deleted"


def test_an_undo_marks_what_it_took_back() -> None:
    ledger = Ledger(["front", "cellar"], Verb.UPDATED)
    ledger.mark(["front", "cellar"], Stand.CHANGED)
    with ledger.undoing(["front", "cellar"], Verb.RESTORED) as undo:
        undo.mark(["front"], Stand.CHANGED)  # the cellar's undo did not go through
    assert ledger.standing(Stand.UNDONE) == ["front"]
    assert english(ledger) == "Front: updated, then undone; Cellar: updated"


def test_what_stands_is_given_as_data() -> None:
    """Keys, not words: the caller names them in its user's language."""
    ledger = Ledger(["front", "cellar", "attic"], Verb.CREATED)
    assert ledger.stands() == []  # nothing changed: the error says it all
    ledger.mark(["front"], Stand.UNDONE)
    ledger.mark(["cellar"], Stand.UNCONFIRMED)
    assert ledger.stands() == [
        ("front", Stand.UNDONE),
        ("cellar", Stand.UNCONFIRMED),
        ("attic", Stand.UNCHANGED),
    ]
    assert ledger.verb is Verb.CREATED
    # The words of a stand are the caller's, formatted with the verb's.
    words = {
        "verb_created": "V",
        "stand_undone": "{verb}-u",
        "stand_unconfirmed": "?",
        "stand_unchanged": "=",
    }
    assert ledger.describe(str, words.__getitem__) == "front: V-u; cellar: ?; attic: ="


# --- authorization writes, read back ---------------------------------------------------------


@dataclass(eq=False)
class Device:
    """A device written to (AuthTarget), as its account knows it."""

    smartlock_id: int
    client: NukiWebApiClient
    present: bool = True
    hosting_missing: bool = False


@dataclass
class Setup:
    sim: SimulatorServer
    front: Device
    holiday: Device
    sent: list[str] = field(default_factory=list)

    def write(self, *devices: Device, verb: str = Verb.CREATED) -> AuthWrite[Device]:
        write = AuthWrite(Ledger(devices, verb))
        write.interval, write.timeout = 0.01, 2.0
        return write

    def codes(self, name: str) -> list[dict[str, Any]]:
        return [a for a in self.sim.state.auths.values() if a.get("name") == name]


@pytest.fixture
async def setup(socket_enabled: None) -> AsyncIterator[Setup]:
    async with (
        SimulatorServer(scenario="demo", actuation_delay=0.01) as sim,
        aiohttp.ClientSession() as session,
    ):
        client = NukiWebApiClient(session, sim.token, base_url=sim.url, timeout=5.0)
        yield Setup(sim, Device(FRONT, client), Device(HOLIDAY, client))


def creating_visitor(
    write: AuthWrite[Device], code: int = 975318
) -> tuple[Any, Any]:  # (step, undo)
    body = rules.keypad_code_body("Visitor", code, {})

    async def request(group: list[Device]) -> None:
        await group[0].client.create_auths([d.smartlock_id for d in group], body)

    def shows(auths: Any, device: Device) -> SmartlockAuth | None:
        return rules.created_code(auths, device.smartlock_id, code, "Visitor")

    return write.creating(request, shows)


async def test_a_create_is_read_back_and_undone(setup: Setup) -> None:
    write = setup.write(setup.front)
    auths = await write.check()
    assert set(auths) == {setup.front.client}
    step, undo = creating_visitor(write)
    await step([setup.front])
    (visitor,) = setup.codes("Visitor")
    assert write.found[FRONT].id == visitor["id"]
    assert write.ledger.standing() == [setup.front]
    assert visitor["id"] in {a.id for a in write.reads[setup.front.client]}  # the last read

    await undo([setup.front])
    assert setup.codes("Visitor") == []
    assert write.ledger.standing(Stand.UNDONE) == [setup.front]


async def test_devices_without_smart_hosting_are_refused_before_a_write(setup: Setup) -> None:
    write = setup.write(setup.front, setup.holiday)
    with pytest.raises(NukiAuthWriteError) as err:
        await write.check()
    assert (err.value.problem, err.value.targets) == (WriteProblem.SMART_HOSTING, [setup.holiday])


async def test_a_duplicate_code_is_refused(setup: Setup) -> None:
    write = setup.write(setup.front)
    step, _ = creating_visitor(write, code=456789)  # Anna's
    with pytest.raises(NukiAuthWriteError) as err:
        await step([setup.front])
    assert err.value.problem is WriteProblem.DUPLICATE
    assert write.ledger.standing(Stand.UNCHANGED) == [setup.front]


async def test_a_request_that_failed_but_applied_is_read_back(setup: Setup) -> None:
    """Nuki answers 5xx after it created the code: the ledger knows it stands."""
    write = setup.write(setup.front)
    real = setup.front.client.create_auths

    async def applied_then_502(*args: Any) -> None:
        await real(*args)
        raise NukiServerError("Bad gateway", status=502)

    setup.front.client.create_auths = applied_then_502  # type: ignore[method-assign]
    step, _ = creating_visitor(write)
    with pytest.raises(NukiAuthWriteError) as err:
        await step([setup.front])
    assert err.value.problem is WriteProblem.FAILED
    assert isinstance(err.value.__cause__, NukiServerError)
    assert write.ledger.standing() == [setup.front]
    assert write.found[FRONT].name == "Visitor"


async def test_changes_that_do_not_show(setup: Setup) -> None:
    """Not applied in time, or the device left the account: each ends with its problem."""
    setup.sim.state.actuation_delay = 60
    write = setup.write(setup.front)
    write.timeout = 0.1
    step, _ = creating_visitor(write)
    with pytest.raises(NukiAuthWriteError) as err:
        await step([setup.front])
    assert err.value.problem is WriteProblem.TIMEOUT
    assert write.ledger.standing(Stand.UNCONFIRMED) == [setup.front]

    setup.front.present = False
    step, _ = creating_visitor(write := setup.write(setup.front), code=975319)
    async with asyncio.timeout(1):  # given up at once, not after the timeout
        with pytest.raises(NukiAuthWriteError) as err:
            await step([setup.front])
    assert err.value.problem is WriteProblem.LEFT
    assert write.ledger.standing(Stand.LEFT) == [setup.front]


async def test_a_failed_read(setup: Setup) -> None:
    setup.sim.fail_next("500", route="GET /smartlock/auth")
    with pytest.raises(NukiAuthWriteError) as err:
        await setup.write(setup.front).check()
    assert (err.value.problem, err.value.targets) == (WriteProblem.READ_FAILED, [])
    assert isinstance(err.value.__cause__, NukiServerError)
