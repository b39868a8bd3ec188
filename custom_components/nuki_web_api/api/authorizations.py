"""Nuki's rules for authorizations: keypad codes, names, time windows, updates, read-backs.

Nuki applies an authorization write later and keeps only what fits its rules (a longer
name is cut, a window is stored as given), so a caller checks a write against these rules
before sending it, and recognises the change in what it reads back.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from enum import StrEnum
from typing import Final

from .enums import AuthType
from .errors import NukiError, is_smart_hosting_error
from .models import JsonValue, ParsedList, Smartlock, SmartlockAuth
from .webhooks import older_than_shown

# Swagger: "The name of the authorization (max 32 chars)". Nuki keeps only 20 characters
# of a keypad code's name ("PIN_NAME (string; up to 20 characters)",
# developer.nuki.io/t/web-api-example-manage-pin-codes-for-your-nuki-keypad/54; rental
# tools such as Seam list the same limit for Nuki), so a longer one never reads back as sent.
NAME_LENGTH: Final = 32
KEYPAD_NAME_LENGTH: Final = 20
# allowedWeekDays bits (Swagger, SmartlockAuth).
WEEK_DAYS: Final = {"mon": 64, "tue": 32, "wed": 16, "thu": 8, "fri": 4, "sat": 2, "sun": 1}
# allowedFromTime / allowedUntilTime are minutes from midnight; 1440 may stand for 24:00.
MINUTES_PER_DAY: Final = 24 * 60
# SmartlockAuthUpdate: a partial update may clear the time limits, so an update sends all
# of these as read, with the change applied.
UPDATABLE_FIELDS: Final = frozenset(
    {
        "name",
        "enabled",
        "remoteAllowed",
        "code",
        "allowedFromDate",
        "allowedUntilDate",
        "allowedWeekDays",
        "allowedFromTime",
        "allowedUntilTime",
    }
)
# A generated code is drawn at most this often: with ~525,000 codes by Nuki's rules and a
# keypad's ~100 slots the first draw almost always fits, but a hostile list of taken codes
# must not keep the caller spinning.
CODE_DRAWS: Final = 1000

type AuthBody = dict[str, JsonValue]
# The key of an authorization's switch: "<smartlockId>_auth_<id>".
AUTH_KEY_MARK: Final = "_auth_"


class AuthProblem(StrEnum):
    """Why a value breaks Nuki's rules (the values name the integration's errors)."""

    INVALID_CODE = "invalid_code"
    INVALID_NAME = "invalid_name"
    NO_FREE_CODE = "no_free_code"
    WINDOW_REVERSED = "window_reversed"
    WINDOW_ENDED = "window_ended"
    WINDOW_NO_WEEK_DAY = "window_no_week_day"
    WINDOW_TIMES_INCOMPLETE = "window_times_incomplete"
    WINDOW_EMPTY = "window_empty"
    WINDOW_OVERNIGHT = "window_overnight"
    INVALID_ACCOUNT_USER = "invalid_account_user"


class NukiAuthRuleError(NukiError, ValueError):
    """A value Nuki would refuse, cut or never apply; nothing was sent.

    ``placeholders`` hold the limit that was broken (``max`` for a name), never the value.
    """

    def __init__(self, problem: AuthProblem, **placeholders: str) -> None:
        super().__init__(f"refused authorization value: {problem.value}")
        self.problem = problem
        self.placeholders = placeholders


def checked_name(text: str, limit: int = NAME_LENGTH) -> str:
    """Return ``text`` if Nuki keeps it whole as an authorization's name."""
    if not 0 < len(text) <= limit:
        raise NukiAuthRuleError(AuthProblem.INVALID_NAME, max=str(limit))
    return text


def account_user_id(value: object) -> int:
    """Return an ``accountUserId``: a positive whole number, also as text or as 1002.0."""
    try:
        user = int(str(value).removesuffix(".0"))
    except ValueError:
        user = 0
    if isinstance(value, bool) or user <= 0:
        raise NukiAuthRuleError(AuthProblem.INVALID_ACCOUNT_USER)
    return user


def _follows_code_rules(text: str) -> bool:
    """Nuki's keypad-code rules: 6 digits, only 1-9, not starting with "12"."""
    return len(text) == 6 and all("1" <= char <= "9" for char in text) and not text.startswith("12")


def keypad_code(text: str) -> int:
    """Return the keypad code ``text`` stands for, if it follows Nuki's rules."""
    if not _follows_code_rules(text):
        raise NukiAuthRuleError(AuthProblem.INVALID_CODE)
    return int(text)


def generate_keypad_code(taken: Collection[int]) -> int:
    """Draw a code by Nuki's rules that is not ``taken``; ``secrets``, as it opens a door."""
    for _ in range(CODE_DRAWS):
        text = "".join(secrets.choice("123456789") for _ in range(6))
        if _follows_code_rules(text) and int(text) not in taken:
            return int(text)
    raise NukiAuthRuleError(AuthProblem.NO_FREE_CODE)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeWindow:
    """When an authorization may be used, as a caller gives it; ``None`` is "not given".

    ``allowed_week_days`` are keys of WEEK_DAYS; the daily times are in the lock's local
    time; a moment without a time zone is in ``zone``.
    """

    allowed_from: datetime | None = None
    allowed_until: datetime | None = None
    allowed_week_days: Collection[str] | None = None
    allowed_from_time: time | None = None
    allowed_until_time: time | None = None
    zone: tzinfo = UTC

    def body(self, current: SmartlockAuth | None = None) -> AuthBody:
        """Return Nuki's time-limit fields for the given parts; refuse a window that never works.

        For an update, ``current`` supplies the parts not given. Nuki documents the daily
        window only as minutes from midnight, so it must end later on the same day.
        """
        body: AuthBody = {}
        if self.allowed_from is not None or self.allowed_until is not None:
            start = None if self.allowed_from is None else self._utc(self.allowed_from)
            end = None if self.allowed_until is None else self._utc(self.allowed_until)
            if current is not None:
                start = start or current.allowed_from_date
                end = end or current.allowed_until_date
            if start is not None and end is not None and start >= end:
                raise NukiAuthRuleError(AuthProblem.WINDOW_REVERSED)
            if end is not None and end <= datetime.now(UTC):
                raise NukiAuthRuleError(AuthProblem.WINDOW_ENDED)
            for field, moment in (
                ("allowedFromDate", self.allowed_from),
                ("allowedUntilDate", self.allowed_until),
            ):
                if moment is not None:
                    body[field] = self._utc(moment).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if (days := self.allowed_week_days) is not None:
            if not days:
                raise NukiAuthRuleError(AuthProblem.WINDOW_NO_WEEK_DAY)
            body["allowedWeekDays"] = sum(WEEK_DAYS[day] for day in set(days))
        if self.allowed_from_time is not None or self.allowed_until_time is not None:
            first = None if self.allowed_from_time is None else _minutes(self.allowed_from_time)
            last = None if self.allowed_until_time is None else _minutes(self.allowed_until_time)
            if current is not None:
                first = current.allowed_from_time if first is None else first
                last = current.allowed_until_time if last is None else last
            if first is None or last is None:
                raise NukiAuthRuleError(AuthProblem.WINDOW_TIMES_INCOMPLETE)
            if first == last:
                raise NukiAuthRuleError(AuthProblem.WINDOW_EMPTY)
            if first > last:
                raise NukiAuthRuleError(AuthProblem.WINDOW_OVERNIGHT)
            body["allowedFromTime"], body["allowedUntilTime"] = first, last
        return body

    def _utc(self, moment: datetime) -> datetime:
        """Return the moment in UTC; without a time zone, it is in ``zone``."""
        return (moment if moment.tzinfo else moment.replace(tzinfo=self.zone)).astimezone(UTC)


def week_days(mask: int | None) -> list[str]:
    """Return the week days (keys of WEEK_DAYS) that an ``allowedWeekDays`` mask allows."""
    return [day for day, bit in WEEK_DAYS.items() if (mask or 0) & bit]


def time_of_day(minutes: int | None) -> str | None:
    """Return Nuki's minutes from midnight as ``HH:MM``; a value outside the day as unknown."""
    if minutes is None or not 0 <= minutes <= MINUTES_PER_DAY:
        return None
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def iso(moment: datetime | None) -> str | None:
    """Return a moment as ISO 8601 text, as the actions' responses give it."""
    return None if moment is None else moment.isoformat()


def listed(auth: SmartlockAuth, *, include_code: bool) -> dict[str, JsonValue]:
    """Return an authorization's fields as the listing action gives them.

    ``auth_id`` is Nuki's ``SmartlockAuth.id``, the id the keypad-code actions take and the
    activity events carry; the lock-internal number is left out, so one id has one name.
    """
    item: dict[str, JsonValue] = {
        "auth_id": auth.id,
        "type": None if auth.type is None else auth.type.name.lower(),
        "name": auth.name,
        "enabled": auth.enabled,
        "remote_allowed": auth.remote_allowed,
        "lock_count": auth.lock_count,
        "allowed_from": iso(auth.allowed_from_date),
        "allowed_until": iso(auth.allowed_until_date),
        "allowed_week_days": list[JsonValue](week_days(auth.allowed_week_days)),
        "allowed_from_time": time_of_day(auth.allowed_from_time),
        "allowed_until_time": time_of_day(auth.allowed_until_time),
        "last_active": iso(auth.last_active_date),
        "error": auth.error,
    }
    if include_code and auth.code is not None:
        item["code"] = str(auth.code)
    return item


def keypad_code_body(name: str, code: int, window: AuthBody) -> AuthBody:
    """Return the SmartlockAuthCreate body of a keypad code (no remote access: it has none)."""
    return {
        "name": name,
        "type": int(AuthType.KEYPAD_CODE),
        "code": code,
        "remoteAllowed": False,
        **window,
    }


def app_access_body(name: str, user: int, remote_allowed: bool, window: AuthBody) -> AuthBody:
    """Return the body that authorizes an account user's app.

    It has no ``type``: the Advanced API's SmartlockAuthAdvancedCreate has none (the plain
    create adds type 0).
    """
    return {"name": name, "accountUserId": user, "remoteAllowed": remote_allowed, **window}


def update_body(auth: SmartlockAuth, changes: Mapping[str, JsonValue]) -> AuthBody:
    """Return the complete SmartlockAuthUpdate body for ``auth`` with ``changes`` applied."""
    body: AuthBody = {
        key: value
        for key, value in auth.raw.items()
        if key in UPDATABLE_FIELDS and value is not None
    }
    body.update(changes)
    return body


def previous_values(auth: SmartlockAuth, changes: Mapping[str, JsonValue]) -> AuthBody:
    """Return what the changed fields were (``None``: absent, which no update can restore)."""
    return {key: auth.raw.get(key) for key in changes}


# --- reading the authorizations back --------------------------------------------------------


def keypad_paired(device: Smartlock) -> bool | None:
    """Whether a keypad is paired (Nuki makes keypad codes only then); None while unknown."""
    config = device.config
    return None if config is None else bool(config.keypad_paired or config.keypad2_paired)


def keypad_codes(auths: Iterable[SmartlockAuth], smartlock_id: int) -> list[SmartlockAuth]:
    """Return the device's keypad codes."""
    return [a for a in auths if a.smartlock_id == smartlock_id and a.type == AuthType.KEYPAD_CODE]


def hosting_refused(auths: Iterable[SmartlockAuth], smartlock_id: int) -> bool:
    """Whether Nuki answers for the device only with the Smart Hosting error item."""
    return any(a.smartlock_id == smartlock_id and is_smart_hosting_error(a.error) for a in auths)


def code_taken(
    auths: Iterable[SmartlockAuth], smartlock_id: int, code: int, keep: str | None = None
) -> bool:
    """Whether another keypad code of the device (not the one ``keep``) has ``code``."""
    return any(
        a.code == code and (keep is None or a.id != keep) for a in keypad_codes(auths, smartlock_id)
    )


def find_code(
    auths: Iterable[SmartlockAuth], smartlock_id: int, *, auth_id: str | None, name: str | None
) -> SmartlockAuth | None:
    """Return the device's keypad code with this id, or (without an id) this name."""
    for auth in keypad_codes(auths, smartlock_id):
        if auth.id is not None and (auth.id == auth_id or (auth_id is None and auth.name == name)):
            return auth
    return None


def created_code(
    auths: Iterable[SmartlockAuth], smartlock_id: int, code: int, name: str
) -> SmartlockAuth | None:
    """Return the device's keypad code with this code and name, once it shows."""
    for auth in keypad_codes(auths, smartlock_id):
        if auth.code == code and auth.name == name:
            return auth
    return None


def created_app_auth(
    auths: Iterable[SmartlockAuth],
    smartlock_id: int,
    *,
    known: Collection[str | None],
    user: int,
    name: str,
) -> SmartlockAuth | None:
    """Return the user's new app authorization (not among ``known``) on the device."""
    for auth in auths:
        if (
            auth.id not in known
            and auth.smartlock_id == smartlock_id
            and auth.type == AuthType.APP
            and auth.account_user_id == user
            and auth.name == name
        ):
            return auth
    return None


def deleted(
    auths: Iterable[SmartlockAuth], doomed: Sequence[SmartlockAuth]
) -> SmartlockAuth | None:
    """Return the first of ``doomed`` once none of them shows any more."""
    ids = {auth.id for auth in doomed}
    return None if not doomed or any(auth.id in ids for auth in auths) else doomed[0]


def updated(
    auths: Iterable[SmartlockAuth], auth: SmartlockAuth, values: Mapping[str, JsonValue]
) -> SmartlockAuth | None:
    """Return ``auth`` as read back, once it has ``values``."""
    for current in auths:
        if current.id == auth.id and all(current.raw.get(k) == v for k, v in values.items()):
            return current
    return None


def expired_codes(
    auths: Iterable[SmartlockAuth], smartlock_id: int, now: datetime
) -> list[SmartlockAuth]:
    """Return the device's keypad codes whose validity (``allowedUntilDate``) ended by ``now``.

    Nuki keeps such codes, and a keypad has about 100 slots.
    """
    return [
        auth
        for auth in keypad_codes(auths, smartlock_id)
        if auth.id is not None
        and auth.allowed_until_date is not None
        and auth.allowed_until_date <= now
    ]


# --- what is shown, and what is proven deleted -----------------------------------------------


def auth_key(smartlock_id: int, auth_id: str) -> str:
    """Return the key of an authorization's switch (its unique id)."""
    return f"{smartlock_id}{AUTH_KEY_MARK}{auth_id}"


class ShownAuths(dict[str, SmartlockAuth]):
    """The authorizations shown, by id, and what the reads and pushes behind them prove deleted.

    Items without an id (Smart Hosting errors) are left out. An authorization missing from a
    read is proven deleted only by a complete read (a ``ParsedList`` that skipped nothing:
    a skipped item may be it) without an error item for its device (Nuki then lists none of
    the device's authorizations); a push with ``deleted`` proves it for its authorization.
    """

    def __init__(
        self,
        auths: Iterable[SmartlockAuth] = (),
        *,
        complete: bool = False,
        failing: frozenset[int] = frozenset(),
        deleted: frozenset[str] = frozenset(),
    ) -> None:
        """Show ``auths``; the rest are as ``ShownAuths.read`` and ``pushed`` work them out."""
        super().__init__((auth.id, auth) for auth in auths if auth.id is not None)
        self.complete, self.failing, self.deleted = complete, failing, deleted

    @classmethod
    def read(cls, auths: Iterable[SmartlockAuth]) -> ShownAuths:
        """Show a read of all the account's authorizations (complete if a ParsedList says so)."""
        complete = isinstance(auths, ParsedList) and not auths.skipped
        listed = list(auths)
        failing = frozenset(auth.smartlock_id for auth in listed if auth.error is not None)
        return cls(listed, complete=complete, failing=failing)

    def pushed(self, auth: SmartlockAuth, *, deleted: bool) -> ShownAuths | None:
        """Return these with a pushed authorization applied; None if the push changes nothing.

        A push older than the authorization shown (``updateDate``) is a replay or a late
        re-delivery; one without an id cannot be shown.
        """
        if auth.id is None:
            return None
        shown = self.get(auth.id)
        if not deleted and shown is not None and older_than_shown(auth.raw, shown.raw):
            return None
        auths = {**self, auth.id: auth}
        if deleted:
            del auths[auth.id]
        gone = self.deleted | {auth.id} if deleted else self.deleted - {auth.id}
        return ShownAuths(
            auths.values(), complete=self.complete, failing=self.failing, deleted=gone
        )

    def gone[T](self, switches: Mapping[str, T]) -> dict[T, str]:
        """Return, of ``switches`` (``auth_key`` -> anything), those proven deleted, with their ids.

        Other keys are left alone.
        """
        proven: dict[T, str] = {}
        for key, value in switches.items():
            device, mark, auth_id = key.partition(AUTH_KEY_MARK)
            if not mark or not device.isdigit() or auth_id in self:
                continue
            if auth_id in self.deleted or (self.complete and int(device) not in self.failing):
                proven[value] = auth_id
        return proven
