"""Nuki's authorization rules (api/authorizations.py), without Home Assistant."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.nuki_web_api.api import ParsedList, Smartlock, SmartlockAuth
from custom_components.nuki_web_api.api import authorizations as rules
from custom_components.nuki_web_api.api.authorizations import AuthProblem, NukiAuthRuleError

FRONT = 17618910285
GARDEN = 13896605295
ANNA = 456789
SMART_HOSTING = "No active Smart Hosting subscription for the Smart Lock, please get one!"


def auth(**fields: Any) -> SmartlockAuth:
    """A keypad code of the Front door, with ``fields`` on top (as Nuki sends them)."""
    data = {"id": "a1", "smartlockId": FRONT, "type": 13, "name": "Anna", "code": ANNA} | fields
    return SmartlockAuth.from_json({k: v for k, v in data.items() if v is not None})


def refused(problem: AuthProblem) -> pytest.RaisesExc[NukiAuthRuleError]:
    return pytest.raises(NukiAuthRuleError, check=lambda err: err.problem is problem)


# --- codes, names, account users --------------------------------------------------------------


def follows_nuki_rules(code: int) -> bool:
    text = str(code)
    return len(text) == 6 and set(text) <= set("123456789") and not text.startswith("12")


@pytest.mark.parametrize("text", ["12345", "1234567", "123456", "456089", "45678a", ""])
def test_codes_against_nuki_rules_are_refused(text: str) -> None:
    """6 digits 1-9, not starting with 12 (a 0 or a 12… code Nuki refuses)."""
    with refused(AuthProblem.INVALID_CODE):
        rules.keypad_code(text)


def test_a_code_by_the_rules_is_taken() -> None:
    assert rules.keypad_code("975318") == 975318


def test_generated_codes_follow_nuki_rules() -> None:
    """Many draws from ``secrets``: 6 digits from 1 to 9, never "12…", never a taken one."""
    taken = {ANNA, 987654}
    drawn = {rules.generate_keypad_code(taken) for _ in range(3000)}
    assert all(follows_nuki_rules(code) for code in drawn)
    assert not drawn & taken
    assert len(drawn) > 2900  # random, not a fixed sequence


def test_a_draw_against_the_rules_or_taken_is_drawn_again(draws: list[str]) -> None:
    draws.extend(["121111", "456789", "111119"])
    assert rules.generate_keypad_code({ANNA}) == 111119
    assert draws == []


def test_no_free_code_ends_the_search(draws: list[str]) -> None:
    draws.extend(["444444"] * rules.CODE_DRAWS)
    with refused(AuthProblem.NO_FREE_CODE):
        rules.generate_keypad_code({444444})


@pytest.mark.parametrize(
    ("name", "limit", "ok"),
    [
        ("N" * 20, rules.KEYPAD_NAME_LENGTH, True),
        ("N" * 21, rules.KEYPAD_NAME_LENGTH, False),  # Nuki keeps 20 characters of a code's
        ("N" * 32, rules.NAME_LENGTH, True),
        ("N" * 33, rules.NAME_LENGTH, False),
        ("", rules.NAME_LENGTH, False),
    ],
)
def test_names_nuki_keeps_whole(name: str, limit: int, ok: bool) -> None:
    if ok:
        assert rules.checked_name(name, limit) == name
        return
    with refused(AuthProblem.INVALID_NAME) as err:
        rules.checked_name(name, limit)
    assert err.value.placeholders == {"max": str(limit)}
    assert name not in str(err.value) or not name


@pytest.mark.parametrize(("value", "user"), [(1002, 1002), ("1002", 1002), (1002.0, 1002)])
def test_account_users(value: object, user: int) -> None:
    """A template sends text, the number selector a float."""
    assert rules.account_user_id(value) == user


@pytest.mark.parametrize("value", [0, -3, "anna", 1002.5, True, None])
def test_account_users_refused(value: object) -> None:
    with refused(AuthProblem.INVALID_ACCOUNT_USER):
        rules.account_user_id(value)


def test_every_problem_names_an_error_text() -> None:
    """The integration raises each problem as the exception of the same key (en.json)."""
    en = (
        Path(__file__).parents[2]
        / "custom_components"
        / "nuki_web_api"
        / "translations"
        / "en.json"
    )
    exceptions = json.loads(en.read_text(encoding="utf-8"))["exceptions"]
    assert {problem.value for problem in AuthProblem} <= set(exceptions)


# --- time windows -----------------------------------------------------------------------------


def later(days: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def test_a_window_in_nuki_fields() -> None:
    year = datetime.now(UTC).year + 1
    window = rules.TimeWindow(
        allowed_from=datetime(year, 6, 1, 8, tzinfo=UTC),
        allowed_until=datetime(year, 6, 30, 18, tzinfo=UTC),
        allowed_week_days=["mon", "fri", "mon"],
        allowed_from_time=time(8, 0),
        allowed_until_time=time(12, 30, 59),  # seconds are dropped: Nuki keeps minutes
    )
    assert window.body() == {
        "allowedFromDate": f"{year}-06-01T08:00:00.000Z",
        "allowedUntilDate": f"{year}-06-30T18:00:00.000Z",
        "allowedWeekDays": 64 + 4,
        "allowedFromTime": 480,
        "allowedUntilTime": 750,
    }
    assert rules.TimeWindow().body() == {}


def test_moments_without_a_zone_are_in_the_given_zone() -> None:
    year = datetime.now(UTC).year + 1
    window = rules.TimeWindow(
        allowed_from=datetime(year, 1, 10, 8),  # noqa: DTZ001 - naive on purpose
        allowed_until=datetime(year, 7, 10, 8),  # noqa: DTZ001
        zone=ZoneInfo("Europe/Berlin"),
    )
    assert window.body() == {
        "allowedFromDate": f"{year}-01-10T07:00:00.000Z",  # CET
        "allowedUntilDate": f"{year}-07-10T06:00:00.000Z",  # CEST
    }


@pytest.mark.parametrize(
    ("window", "problem"),
    [
        ({"allowed_from": later(2), "allowed_until": later(1)}, AuthProblem.WINDOW_REVERSED),
        ({"allowed_from": (now := later(1)), "allowed_until": now}, AuthProblem.WINDOW_REVERSED),
        ({"allowed_until": later(-1)}, AuthProblem.WINDOW_ENDED),
        ({"allowed_from": later(-10), "allowed_until": later(-1)}, AuthProblem.WINDOW_ENDED),
        ({"allowed_week_days": []}, AuthProblem.WINDOW_NO_WEEK_DAY),
        ({"allowed_from_time": time(8)}, AuthProblem.WINDOW_TIMES_INCOMPLETE),
        ({"allowed_until_time": time(8)}, AuthProblem.WINDOW_TIMES_INCOMPLETE),
        (
            {"allowed_from_time": time(8), "allowed_until_time": time(8, 0, 30)},
            AuthProblem.WINDOW_EMPTY,
        ),
        (
            {"allowed_from_time": time(22), "allowed_until_time": time(6)},
            AuthProblem.WINDOW_OVERNIGHT,
        ),
    ],
)
def test_windows_that_never_work_are_refused(window: dict[str, Any], problem: AuthProblem) -> None:
    """Nuki documents daily times only as minutes from midnight: overnight is refused too."""
    with refused(problem):
        rules.TimeWindow(**window).body()


def test_an_update_is_checked_with_the_current_window() -> None:
    """The parts not given are the authorization's; only the given ones are sent."""
    current = auth(allowedFromTime=480, allowedUntilTime=720, allowedUntilDate="2000-01-01")
    with refused(AuthProblem.WINDOW_OVERNIGHT):
        rules.TimeWindow(allowed_until_time=time(7)).body(current)
    assert rules.TimeWindow(allowed_from_time=time(9)).body(current) == {
        "allowedFromTime": 540,
        "allowedUntilTime": 720,
    }
    with refused(AuthProblem.WINDOW_ENDED):  # the current end has passed
        rules.TimeWindow(allowed_from=datetime(1999, 1, 1, tzinfo=UTC)).body(current)


def test_listed_week_days_and_times() -> None:
    assert rules.week_days(64 + 32 + 16 + 8 + 4) == ["mon", "tue", "wed", "thu", "fri"]
    assert rules.week_days(None) == []
    assert [rules.time_of_day(m) for m in (0, 420, 1440, -1, 1441, None)] == [
        "00:00",
        "07:00",
        "24:00",
        None,
        None,
        None,
    ]


def test_a_listed_authorization() -> None:
    """The listing's fields: moments in ISO 8601, the code only on request, never a raw mask."""
    listed = auth(
        allowedUntilDate="2026-08-01T10:00:00.000Z",
        allowedWeekDays=64 + 1,
        allowedFromTime=420,
        lockCount=3,
        enabled=True,
    )
    assert rules.listed(listed, include_code=False) == {
        "auth_id": "a1",
        "type": "keypad_code",
        "name": "Anna",
        "enabled": True,
        "remote_allowed": None,
        "lock_count": 3,
        "allowed_from": None,
        "allowed_until": "2026-08-01T10:00:00+00:00",
        "allowed_week_days": ["mon", "sun"],
        "allowed_from_time": "07:00",
        "allowed_until_time": None,
        "last_active": None,
        "error": None,
    }
    assert rules.listed(listed, include_code=True)["code"] == str(ANNA)
    assert "code" not in rules.listed(auth(code=None), include_code=True)


# --- bodies -----------------------------------------------------------------------------------


def test_an_update_sends_every_field_as_read() -> None:
    """A partial SmartlockAuthUpdate may clear the time limits; read-only fields stay out."""
    current = auth(
        enabled=True,
        remoteAllowed=False,
        allowedWeekDays=3,
        allowedFromTime=None,
        lockCount=7,
        creationDate="2024-01-01T00:00:00.000Z",
    )
    assert rules.update_body(current, {"enabled": False}) == {
        "name": "Anna",
        "code": ANNA,
        "enabled": False,
        "remoteAllowed": False,
        "allowedWeekDays": 3,
    }
    assert rules.previous_values(current, {"name": "B", "allowedFromTime": 60}) == {
        "name": "Anna",
        "allowedFromTime": None,  # absent: an undo cannot clear it again
    }


def test_create_bodies() -> None:
    window = {"allowedWeekDays": 2}
    assert rules.keypad_code_body("Guest", 975318, window) == {
        "name": "Guest",
        "type": 13,
        "code": 975318,
        "remoteAllowed": False,
        "allowedWeekDays": 2,
    }
    assert rules.app_access_body("Sitter", 1002, True, {}) == {
        "name": "Sitter",
        "accountUserId": 1002,
        "remoteAllowed": True,
    }


# --- recognising what a read shows --------------------------------------------------------------


def test_keypad_codes_and_picks() -> None:
    auths = [
        auth(),
        auth(id="a2", name="Ben", code=975318),
        auth(id="f1", type=2, name="Ben", code=None),  # a fob
        auth(id="g1", smartlockId=GARDEN, name="Anna"),
    ]
    assert [a.id for a in rules.keypad_codes(auths, FRONT)] == ["a1", "a2"]
    assert rules.find_code(auths, FRONT, auth_id="a2", name=None) == auths[1]
    assert rules.find_code(auths, FRONT, auth_id=None, name="Ben") == auths[1]
    assert rules.find_code(auths, FRONT, auth_id="f1", name=None) is None
    assert rules.find_code(auths, FRONT, auth_id=None, name="Carl") is None
    assert rules.code_taken(auths, FRONT, ANNA)
    assert not rules.code_taken(auths, FRONT, ANNA, keep="a1")  # the code being changed
    assert not rules.code_taken(auths, GARDEN, 975318)
    assert rules.created_code(auths, FRONT, 975318, "Ben") == auths[1]
    assert rules.created_code(auths, FRONT, 975318, "Anna") is None


def test_changes_shown_by_a_read() -> None:
    before = auth()
    after = auth(name="Anna B", enabled=False)
    assert rules.updated([after], before, {"name": "Anna B", "enabled": False}) == after
    assert rules.updated([before], before, {"name": "Anna B"}) is None
    assert rules.deleted([auth(id="other")], [before]) == before
    assert rules.deleted([before], [before]) is None
    app = auth(id="n1", type=0, name="Sitter", accountUserId=1002, code=None)
    found = rules.created_app_auth([app], FRONT, known={"a1"}, user=1002, name="Sitter")
    assert found == app
    assert rules.created_app_auth([app], FRONT, known={"n1"}, user=1002, name="Sitter") is None


def test_expired_codes() -> None:
    now = datetime(2026, 7, 1, tzinfo=UTC)
    auths = [
        auth(id="e1", allowedUntilDate="2026-06-30T10:00:00.000Z"),
        auth(id="e2", allowedUntilDate="2026-07-01T00:00:00.000Z"),  # ends now
        auth(id="r1", allowedUntilDate="2026-07-02T00:00:00.000Z"),
        auth(id="n1"),  # no end
        auth(id="x1", type=0, allowedUntilDate="2026-06-01T00:00:00.000Z"),  # an app
    ]
    assert [a.id for a in rules.expired_codes(auths, FRONT, now)] == ["e1", "e2"]


def test_smart_hosting_items_and_keypads() -> None:
    error_item = SmartlockAuth.from_json({"smartlockId": GARDEN, "error": SMART_HOSTING})
    assert rules.hosting_refused([auth(), error_item], GARDEN)
    assert not rules.hosting_refused([auth(), error_item], FRONT)
    lock = {"smartlockId": FRONT, "type": 4}
    assert rules.keypad_paired(Smartlock.from_json(lock)) is None  # no config: unknown
    for paired, expected in (({"keypadPaired": True}, True), ({"keypad2Paired": True}, True)):
        assert rules.keypad_paired(Smartlock.from_json(lock | {"config": paired})) is expected
    assert rules.keypad_paired(Smartlock.from_json(lock | {"config": {}})) is False


def test_shown_auths_prove_deletions_only_when_complete() -> None:
    """Keys of switches; a plain list, a skipped item or a device's error item prove nothing."""
    keys = {rules.auth_key(FRONT, i): i for i in ("a1", "gone")}
    keys |= {rules.auth_key(GARDEN, "g1"): "g1", "12_led": "led", "x_auth_y": "odd"}
    read = ParsedList([auth(id="a1")])
    assert rules.ShownAuths.read(read).gone(keys) == {"gone": "gone", "g1": "g1"}
    assert rules.ShownAuths.read([auth(id="a1")]).gone(keys) == {}  # not known to be whole
    read.skipped = 1
    assert rules.ShownAuths.read(read).gone(keys) == {}
    hosting = SmartlockAuth.from_json({"smartlockId": GARDEN, "error": SMART_HOSTING})
    shown = rules.ShownAuths.read(ParsedList([auth(id="a1"), hosting]))
    assert shown.gone(keys) == {"gone": "gone"}

    incomplete = rules.ShownAuths.read([auth(id="a1")])
    pushed = incomplete.pushed(auth(id="a1"), deleted=True)
    assert pushed is not None
    assert pushed.gone(keys) == {"a1": "a1"}
    back = pushed.pushed(auth(id="a1"), deleted=False)
    assert back is not None
    assert back.gone(keys) == {}
    assert incomplete.pushed(SmartlockAuth.from_json({"smartlockId": FRONT}), deleted=True) is None
