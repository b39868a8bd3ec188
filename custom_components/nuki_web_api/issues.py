"""Repair issues, kept in step with what Nuki reports: the user fixes them in Nuki Web or the app.

None is fixable in Home Assistant (fix flows would live in repairs.py, as HA reserves that name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .api import Smartlock, default_name, nuki_id, subscription_ending
from .const import DOMAIN, LOGGER, SMART_HOSTING_URL, SMART_HOSTING_WARNING

# A device's Smart Hosting ending soon: (in the grace period, the local end date or "").
type SmartHostingEnding = tuple[bool, str]


def smart_hosting_issue_id(smartlock_id: int) -> str:
    """Return the id of the Smart Hosting issue of one device."""
    return f"smart_hosting_{smartlock_id}"


def push_issue_id(entry_id: str) -> str:
    """Return the id of the entry's push issue (one at a time)."""
    return f"push_{entry_id}"


@callback
def async_create_issue(
    hass: HomeAssistant,
    issue_id: str,
    key: str,
    placeholders: dict[str, str],
    *,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    learn_more_url: str | None = None,
) -> None:
    """Raise (or update) one of this integration's issues; none is fixable here."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=key,
        translation_placeholders=placeholders,
        learn_more_url=learn_more_url,
    )


@callback
def async_create_push_issue(hass: HomeAssistant, entry: ConfigEntry, reason: str) -> None:
    """Tell why push updates are off; `reason` picks the text (push_<reason>)."""
    async_create_issue(
        hass, push_issue_id(entry.entry_id), f"push_{reason}", {"title": entry.title}
    )


@callback
def async_delete_push_issue(hass: HomeAssistant, entry_id: str) -> None:
    """Remove the entry's push issue (no-op if there is none)."""
    ir.async_delete_issue(hass, DOMAIN, push_issue_id(entry_id))


class Issues:
    """The repair issues of one config entry and its devices."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        name: Callable[[int], str],
        model: Callable[[int], str],
    ) -> None:
        self._hass, self._entry_id = hass, entry_id
        self._name, self._model = name, model
        self._missing: set[int] = set()
        self._ending: dict[int, SmartHostingEnding] = {}
        self._log_scope_missing = False

    @callback
    def sync(self, devices: Mapping[int, Smartlock], missing: Set[int]) -> None:
        """After each successful cycle: Nuki refuses ``missing``; warn before subscriptions end."""
        self._sync_missing(set(missing))
        now = dt_util.utcnow()
        ending: dict[int, SmartHostingEnding] = {}
        for smartlock_id, device in devices.items():
            if (found := subscription_ending(device, now, SMART_HOSTING_WARNING)) is not None:
                grace_period, end = found
                date = "" if end is None else dt_util.as_local(end).date().isoformat()
                ending[smartlock_id] = (grace_period, date)
        for smartlock_id, (grace_period, date) in ending.items():
            if self._ending.get(smartlock_id) != (grace_period, date):
                async_create_issue(
                    self._hass,
                    f"smart_hosting_ending_{smartlock_id}",
                    "smart_hosting_grace_period" if grace_period else "smart_hosting_ending",
                    {"name": self._name(smartlock_id), "date": date},
                    learn_more_url=SMART_HOSTING_URL,
                )
        for smartlock_id in self._ending.keys() - ending.keys():
            ir.async_delete_issue(self._hass, DOMAIN, f"smart_hosting_ending_{smartlock_id}")
        self._ending = ending

    @callback
    def mark_missing(self, smartlock_ids: Iterable[int]) -> None:
        """Nuki refused devices in an action or a write: their issue stands until a cycle."""
        self._sync_missing(self._missing | set(smartlock_ids))

    @callback
    def forget(self, smartlock_ids: Iterable[int]) -> None:
        """Delete the Smart Hosting issues of devices that left the account."""
        for smartlock_id in smartlock_ids:
            self._missing.discard(smartlock_id)
            ir.async_delete_issue(self._hass, DOMAIN, smart_hosting_issue_id(smartlock_id))

    @callback
    def _sync_missing(self, wanted: set[int]) -> None:
        """Name each device with its model and Nuki ID (Nuki sends no name without Smart Hosting).

        One never seen named has the Nuki app's name ("Smart Door 20BE908C"); its text says so.
        """
        for smartlock_id in wanted - self._missing:
            name = self._name(smartlock_id)
            async_create_issue(
                self._hass,
                smart_hosting_issue_id(smartlock_id),
                "smart_hosting_unnamed" if name == default_name(smartlock_id) else "smart_hosting",
                {
                    "name": name,
                    "model": self._model(smartlock_id),
                    "nuki_id": nuki_id(smartlock_id),
                },
                severity=ir.IssueSeverity.ERROR,
                learn_more_url=SMART_HOSTING_URL,
            )
        self.forget(self._missing - wanted)
        self._missing = wanted

    @callback
    def log_scope(self, permitted: bool) -> None:
        """Note whether the token may read the log (a 401 means it lacks smartlock.log)."""
        if permitted == (not self._log_scope_missing):
            return
        self._log_scope_missing = not permitted
        issue_id = f"missing_scope_{self._entry_id}"
        if permitted:
            ir.async_delete_issue(self._hass, DOMAIN, issue_id)
            return
        LOGGER.warning("The API token may not read the activity log (scope smartlock.log)")
        async_create_issue(
            self._hass,
            issue_id,
            "missing_scope",
            {"scope": "smartlock.log", "scope_name": "Activity log"},
        )
