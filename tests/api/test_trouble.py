"""The activity log's own trouble (LogTrouble): no entries for now, one warning past the grace."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.nuki_web_api.api import (
    LogTrouble,
    NukiAuthError,
    NukiBadRequestError,
    NukiError,
    NukiRateLimitError,
    NukiServerError,
    NukiTimeoutError,
    SmartlockLog,
)

START = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
GRACE = timedelta(minutes=2)
ENTRY = SmartlockLog.from_json(
    {
        "id": "0" * 24,
        "smartlockId": 1,
        "action": 1,
        "trigger": 0,
        "state": 0,
        "date": START.isoformat(),
    }
)


async def _fails(err: NukiError) -> list[SmartlockLog]:
    raise err


async def _answers() -> list[SmartlockLog]:
    return [ENTRY]


def _lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


@pytest.mark.parametrize(
    "error",
    [
        NukiServerError("GET /smartlock/log -> HTTP 502", status=502),
        NukiTimeoutError("GET /smartlock/log timed out"),
    ],
)
async def test_an_outage_of_the_log_warns_once_past_the_grace(
    caplog: pytest.LogCaptureFixture, error: NukiError
) -> None:
    trouble = LogTrouble(GRACE)
    for seconds in (0, 30, 60, 90):
        assert await trouble.read(_fails(error), START + timedelta(seconds=seconds)) == ([], None)
    assert _lines(caplog, logging.WARNING) == []
    for seconds in (120, 150, 180):
        assert await trouble.read(_fails(error), START + timedelta(seconds=seconds)) == ([], None)
    assert _lines(caplog, logging.WARNING) == [
        f"The activity log of Nuki Web is not readable ({error}); states still come from the "
        "device list, activity is read again once the log answers"
    ]
    assert await trouble.read(_answers(), START + timedelta(seconds=210)) == ([ENTRY], True)
    assert await trouble.read(_answers(), START + timedelta(seconds=240)) == ([ENTRY], True)
    assert _lines(caplog, logging.INFO) == ["The activity log of Nuki Web is readable again"]


async def test_a_short_outage_of_the_log_is_not_told(caplog: pytest.LogCaptureFixture) -> None:
    """And the next episode counts its grace from its own start."""
    trouble = LogTrouble(GRACE)
    error = NukiServerError("GET /smartlock/log -> HTTP 500", status=500)
    await trouble.read(_fails(error), START)
    await trouble.read(_answers(), START + timedelta(seconds=90))
    await trouble.read(_fails(error), START + timedelta(seconds=180))
    assert caplog.records == []


async def test_what_is_no_outage_is_told_at_once(caplog: pytest.LogCaptureFixture) -> None:
    trouble = LogTrouble(GRACE)
    error = NukiBadRequestError("GET /smartlock/log -> HTTP 400", status=400)
    assert await trouble.read(_fails(error), START) == ([], None)
    assert await trouble.read(_fails(error), START + timedelta(seconds=30)) == ([], None)
    assert len(_lines(caplog, logging.WARNING)) == 1


async def test_401_and_429_are_the_callers() -> None:
    """401: the token lacks the log scope (a repair issue); 429: the poller backs off."""
    trouble = LogTrouble(GRACE)
    assert await trouble.read(_fails(NukiAuthError("401")), START) == ([], False)
    with pytest.raises(NukiRateLimitError):
        await trouble.read(_fails(NukiRateLimitError("429")), START)
