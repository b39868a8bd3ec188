"""The ledger of a write to several devices (what stands on each), and authorization writes.

Nuki refuses a request as a whole (a 4xx, 401 or the Smart Hosting error: nothing of it
applied), or accepts it (204) and applies it later; after a 5xx, a timeout or an unreadable
answer it may have applied it all the same. Its authorization endpoints skip a device
without Smart Hosting silently. So a caller notes what stands on each device (``Ledger``),
and reads the authorizations back until the change shows (``AuthWrite``), before it
reports success or takes a change back.
"""

from __future__ import annotations

import asyncio
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Hashable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager, suppress
from enum import StrEnum
from functools import partial
from typing import Protocol

from .authorizations import deleted, hosting_refused
from .client import NukiWebApiClient
from .errors import (
    NukiAuthError,
    NukiConflictError,
    NukiError,
    NukiRequestError,
    NukiSmartHostingError,
)
from .models import ParsedList, SmartlockAuth

# Errors with which Nuki refused a request as a whole: nothing of it was applied.
_REFUSED = (NukiRequestError, NukiAuthError, NukiSmartHostingError)


class Stand(StrEnum):
    """What stands on a device after a write; a key, the words are the caller's (``stand_*``)."""

    UNCHANGED = "unchanged"
    UNCONFIRMED = "unconfirmed"  # the request failed but may still apply
    CHANGED = "changed"  # the write's verb
    UNDONE = "undone"  # the write's verb, then undone
    LEFT = "left"  # the device left the account


class Verb(StrEnum):
    """The change a write makes; a key, the words are the caller's (``verb_*``)."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    WRITTEN = "written"
    RESTORED = "restored"
    LISTED = "listed"  # a read: it changes nothing, so never stands


class Ledger[T: Hashable]:
    """The targets of one call and what stands on each of them."""

    def __init__(self, targets: Iterable[T], verb: Verb) -> None:
        """Start with every target unchanged; ``verb`` names the change."""
        self.targets = list(targets)
        self.verb = verb
        self._stands = dict.fromkeys(self.targets, Stand.UNCHANGED)

    def mark(self, targets: Iterable[T], stand: Stand) -> None:
        """Note what now stands on these targets."""
        for target in targets:
            self._stands[target] = stand

    def standing(self, stand: Stand = Stand.CHANGED) -> list[T]:
        """Return the targets on which ``stand`` holds (by default: changed and confirmed)."""
        return [target for target in self.targets if self._stands[target] is stand]

    @asynccontextmanager
    async def sending(self, targets: Sequence[T]) -> AsyncIterator[None]:
        """Mark a request to ``targets`` as sent; a refusal by Nuki leaves them unchanged."""
        self.mark(targets, Stand.UNCONFIRMED)
        try:
            yield
        except _REFUSED:
            self.mark(targets, Stand.UNCHANGED)
            raise

    @contextmanager
    def undoing(self, targets: Sequence[T], verb: Verb) -> Iterator[Ledger[T]]:
        """Give an undo its own ledger (``Verb.DELETED``); what it took back stands as undone here."""
        undo = Ledger(targets, verb)
        try:
            yield undo
        finally:
            self.mark(undo.standing(), Stand.UNDONE)

    def stands(self) -> list[tuple[T, Stand]]:
        """Return what stands on every target, in order, for a failure's error to name.

        Empty where the failure's own error tells what stands: nothing was changed, or one
        target's change is only unconfirmed, or it left.
        """
        stands = set(self._stands.values())
        if stands == {Stand.UNCHANGED} or (
            len(self.targets) == 1 and stands <= {Stand.UNCONFIRMED, Stand.LEFT}
        ):
            return []
        return [(target, self._stands[target]) for target in self.targets]

    def describe(self, name: Callable[[T], str], words: Callable[[str], str]) -> str | None:
        """Name what stands on every target ("Front door: created, then undone; Cellar: …").

        ``words`` gives the text of a key in the user's language: ``verb_created``, and
        ``stand_undone`` ("{verb}, then undone"). None where ``stands`` is empty.
        """
        verb = words(f"verb_{self.verb}")
        named = [f"{name(t)}: {words(f'stand_{s}').format(verb=verb)}" for t, s in self.stands()]
        return "; ".join(named) or None


class AuthTarget(Protocol):
    """A device written to, as its account knows it now."""

    def __hash__(self) -> int: ...

    @property
    def smartlock_id(self) -> int:
        """The device's smartlockId."""

    @property
    def client(self) -> NukiWebApiClient:
        """The client of the device's account."""

    @property
    def present(self) -> bool:
        """Whether the device is still on the account."""

    @property
    def hosting_missing(self) -> bool:
        """Whether the account knows already that the device lacks Smart Hosting."""


class WriteProblem(StrEnum):
    """Why an authorization write failed on some devices."""

    READ_FAILED = "read_failed"  # the authorizations could not be read
    DUPLICATE = "duplicate"  # 409: another keypad code of the device has the code
    SMART_HOSTING = "smart_hosting"  # Nuki serves the device only with the Smart Hosting error
    FAILED = "failed"  # Nuki refused or failed the request otherwise
    LEFT = "left"  # the device left the account
    TIMEOUT = "timeout"  # the change did not show in time


class NukiAuthWriteError(NukiError):
    """An authorization write failed on ``targets`` (``problem`` says how)."""

    def __init__(self, problem: WriteProblem, targets: Sequence[object]) -> None:
        super().__init__(f"authorization write failed: {problem.value}")
        self.problem = problem
        self.targets = list(targets)


# The authorization a change is about, once a read shows the change on the target; else None.
type Shows[T] = Callable[[Sequence[SmartlockAuth], T], SmartlockAuth | None]
type Request[T] = tuple[list[T], Callable[[], Awaitable[object]]]
type Step[T] = Callable[[list[T]], Awaitable[None]]
type Doomed = Mapping[int, Sequence[SmartlockAuth]]


class AuthWrite[T: AuthTarget]:
    """Authorization writes to several devices, each read back until it shows.

    A step writes to the devices of one account; a caller runs the steps account by
    account and, when one fails, the undo of the others. ``error`` and ``failure`` let a
    caller raise its own errors (Nuki's errors of the requests are their cause).
    """

    interval = 1.0  # seconds between two reads
    timeout = 30.0  # seconds a change may take to show
    failure: type[Exception] = NukiError  # what ``error`` returns and requests may raise

    def __init__(self, ledger: Ledger[T]) -> None:
        """Note in ``ledger`` what stands on each device."""
        self.ledger = ledger
        # Per device, the authorization a shown change is about; per account, the last read.
        self.found: dict[int, SmartlockAuth] = {}
        self.reads: dict[NukiWebApiClient, ParsedList[SmartlockAuth]] = {}

    def error(
        self, problem: WriteProblem, targets: Sequence[T], cause: NukiError | None = None
    ) -> Exception:
        """Return the error for ``problem`` on ``targets``."""
        return NukiAuthWriteError(problem, targets)

    async def read(self, client: NukiWebApiClient) -> ParsedList[SmartlockAuth]:
        """Read the account's authorizations."""
        try:
            self.reads[client] = auths = await client.auths()
        except NukiError as err:
            raise self.error(WriteProblem.READ_FAILED, [], err) from err
        return auths

    async def check(self) -> dict[NukiWebApiClient, ParsedList[SmartlockAuth]]:
        """Read every account once; refuse devices without Smart Hosting (Nuki would skip them)."""
        clients = dict.fromkeys(target.client for target in self.ledger.targets)
        auths = {client: await self.read(client) for client in clients}
        targets = self.ledger.targets
        if unhosted := [t for t in targets if self._unhosted(auths[t.client], t)]:
            raise self.error(WriteProblem.SMART_HOSTING, unhosted)
        return auths

    def _unhosted(self, auths: Sequence[SmartlockAuth], target: T) -> bool:
        return target.hosting_missing or hosting_refused(auths, target.smartlock_id)

    async def send(
        self, requests: Sequence[Request[T]], shows: Shows[T], ledger: Ledger[T] | None = None
    ) -> None:
        """Send the requests of one account, then read back until every change shows.

        After a failed request, whatever Nuki may have applied all the same (a request
        answered with a 5xx, one sent before) is still read back, so that the ledger knows
        what stands, and an undo can take it back.
        """
        ledger = self.ledger if ledger is None else ledger
        group = [target for targets, _ in requests for target in targets]
        try:
            for targets, request in requests:
                try:
                    async with ledger.sending(targets):
                        await request()
                except NukiConflictError as err:
                    raise self.error(WriteProblem.DUPLICATE, targets, err) from err
                except NukiSmartHostingError as err:
                    raise self.error(WriteProblem.SMART_HOSTING, targets, err) from err
                except NukiError as err:
                    raise self.error(WriteProblem.FAILED, targets, err) from err
        except self.failure:
            if unsure := [t for t in ledger.standing(Stand.UNCONFIRMED) if t in group]:
                with suppress(self.failure):
                    await self._confirm(unsure, shows, ledger)
            raise
        await self._confirm(group, shows, ledger)

    async def _confirm(self, targets: Sequence[T], shows: Shows[T], ledger: Ledger[T]) -> None:
        """Read back until the change shows on every device (of one account), or fail.

        A device that answers with the Smart Hosting error or has left the account is given
        up at once, the others after ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        pending, unhosted, left = list(targets), list[T](), list[T]()
        while pending:
            auths = await self.read(pending[0].client)
            for target in list(pending):
                if (auth := shows(auths, target)) is not None:
                    self.found[target.smartlock_id] = auth
                    ledger.mark([target], Stand.CHANGED)
                elif not target.present:
                    left.append(target)
                elif self._unhosted(auths, target):
                    unhosted.append(target)
                else:
                    continue
                pending.remove(target)
            if not pending or loop.time() >= deadline:
                break
            await asyncio.sleep(self.interval)
        ledger.mark(unhosted, Stand.UNCHANGED)
        ledger.mark(left, Stand.LEFT)
        for problem, failing in (
            (WriteProblem.SMART_HOSTING, unhosted),
            (WriteProblem.LEFT, left),
            (WriteProblem.TIMEOUT, pending),
        ):
            if failing:
                raise self.error(problem, failing)

    async def delete(self, group: list[T], doomed: Doomed, ledger: Ledger[T] | None = None) -> None:
        """Delete ``doomed`` per device of one account in one request, and see them gone."""
        ids = [str(auth.id) for target in group for auth in doomed[target.smartlock_id]]
        request = partial(group[0].client.delete_auths, ids)

        def gone(auths: Sequence[SmartlockAuth], target: T) -> SmartlockAuth | None:
            return deleted(auths, doomed[target.smartlock_id])

        await self.send([(group, request)], gone, ledger)

    def creating(
        self, request: Callable[[list[T]], Awaitable[object]], shows: Shows[T]
    ) -> tuple[Step[T], Step[T]]:
        """Return the step that creates an authorization on a group of devices, and its undo.

        The request creates it on every device of the group at once; the undo deletes it again.
        """

        async def step(group: list[T]) -> None:
            await self.send([(group, partial(request, group))], shows)

        async def undo(group: list[T]) -> None:
            created = {target.smartlock_id: [self.found[target.smartlock_id]] for target in group}
            with self.ledger.undoing(group, Verb.DELETED) as ledger:
                await self.delete(group, created, ledger)

        return step, undo
