"""What stands on each device while a service action writes to several devices.

A multi-device action validates every target first, then writes account by account. When
a write fails midway, the action undoes what Nuki lets it undo, and its error names, per
device, what now stands: a user is never told "failed" while a change stands unreported.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from enum import StrEnum

from homeassistant.exceptions import HomeAssistantError

from .api import NukiAuthError, NukiRequestError, NukiSmartHostingError
from .const import LOGGER
from .coordinator import NukiCoordinator
from .service_targets import Target, by_coordinator, failed

# Errors with which Nuki refused a write as a whole: nothing of it was applied. After any
# other error (5xx, timeout, garbage) the write may still have been applied.
_REFUSED = (NukiRequestError, NukiAuthError, NukiSmartHostingError)


class Stand(StrEnum):
    """What stands on a device; the words appear in the error (``{verb}`` is the action's)."""

    UNCHANGED = "unchanged"
    UNCONFIRMED = "not confirmed (may still apply)"
    CHANGED = "{verb}"
    UNDONE = "{verb}, then undone"
    LEFT = "left the account"


class Ledger:
    """The targets of one call and what stands on each of them."""

    def __init__(self, targets: Sequence[Target], verb: str) -> None:
        """Start with every target unchanged; ``verb`` names the change ("created")."""
        self.targets = list(targets)
        self._verb = verb
        self._stands = dict.fromkeys(self.targets, Stand.UNCHANGED)

    def mark(self, targets: Iterable[Target], stand: Stand) -> None:
        """Note what now stands on these targets."""
        for target in targets:
            self._stands[target] = stand

    def standing(self, stand: Stand = Stand.CHANGED) -> list[Target]:
        """Return the targets on which ``stand`` holds (by default: changed and confirmed)."""
        return [target for target in self.targets if self._stands[target] is stand]

    @asynccontextmanager
    async def sending(self, targets: Sequence[Target]) -> AsyncIterator[None]:
        """Mark a write to ``targets`` as sent; a refusal by Nuki leaves them unchanged."""
        self.mark(targets, Stand.UNCONFIRMED)
        try:
            yield
        except _REFUSED:
            self.mark(targets, Stand.UNCHANGED)
            raise

    def error(self, err: HomeAssistantError) -> HomeAssistantError:
        """Return the error for a failed call: ``err`` itself where it tells what stands.

        That is when nothing was changed, or for one device whose change is only
        unconfirmed or which left (the error says so); otherwise the error names what
        stands on every device.
        """
        stands = set(self._stands.values())
        if stands == {Stand.UNCHANGED} or (
            len(self.targets) == 1 and stands <= {Stand.UNCONFIRMED, Stand.LEFT}
        ):
            return err
        devices = "; ".join(
            f"{target.name}: {self._stands[target].format(verb=self._verb)}"
            for target in self.targets
        )
        return failed("write_incomplete", error=str(err), devices=devices)


async def write_all(
    ledger: Ledger,
    step: Callable[[NukiCoordinator, list[Target]], Awaitable[None]],
    undo: Callable[[NukiCoordinator, list[Target]], Awaitable[None]] | None = None,
) -> None:
    """Run ``step`` account by account; when one fails, undo the changes and name what stands.

    ``undo`` gets the targets of one account whose change stands; it marks what it undid
    and raises HomeAssistantError when Nuki refuses (that change then stands).
    """
    try:
        for coordinator, group in by_coordinator(ledger.targets).items():
            await step(coordinator, group)
    except HomeAssistantError as err:
        if undo is not None:
            for coordinator, group in by_coordinator(ledger.standing()).items():
                try:
                    await undo(coordinator, group)
                except HomeAssistantError as undo_err:
                    names = ", ".join(target.name for target in group)
                    LOGGER.warning("Could not undo the change on %s: %s", names, undo_err)
        if (error := ledger.error(err)) is err:
            raise
        raise error from err
