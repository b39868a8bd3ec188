"""Status codes and body styles map to the error hierarchy; the token never leaks."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from unittest.mock import patch

import aiohttp
import pytest

from custom_components.nuki_web_api.api import (
    NukiAuthError,
    NukiBadRequestError,
    NukiConflictError,
    NukiConnectionError,
    NukiDeviceBusyError,
    NukiError,
    NukiForbiddenError,
    NukiInvalidResponseError,
    NukiNotAllowedError,
    NukiNotFoundError,
    NukiRateLimitError,
    NukiRequestError,
    NukiServerError,
    NukiSmartHostingError,
    NukiTimeoutError,
    NukiWebApiClient,
    is_smart_hosting_error,
)
from custom_components.nuki_web_api.api.client import RETRY_AFTER_MAX

from . import payloads
from .conftest import TOKEN, FakeNuki

ID = 17929391234


def nuki_body(message: str) -> dict[str, Any]:
    return {"detailMessage": message, "stackTrace": [], "suppressedExceptions": []}


def nginx(status: str) -> str:
    return (
        f"<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


# (id, status, reply kwargs, exception, text expected in the message)
STATUS_CASES: list[tuple[str, int, dict[str, Any], type[NukiError], str]] = [
    (
        "400",
        400,
        {"json": nuki_body("The supplied value '245678' for parameter 'code' is not valid")},
        NukiBadRequestError,
        "parameter 'code' is not valid",
    ),
    ("401-token", 401, {"json": nuki_body("Not authorized")}, NukiAuthError, "Not authorized"),
    (
        "401-scope",
        401,
        {"json": nuki_body("Your access token is not authorized")},
        NukiAuthError,
        "Your access token is not authorized",
    ),
    ("402-plain", 402, {"json": {"error": "Account not payed"}}, NukiRequestError, "not payed"),
    (
        "403-text",
        403,
        {"text": "403 Forbidden", "content_type": "text/plain"},
        NukiForbiddenError,
        "403 Forbidden",
    ),
    (
        "403-html",
        403,
        {"text": nginx("403 Forbidden"), "content_type": "text/html"},
        NukiForbiddenError,
        "403 Forbidden",
    ),
    (
        "404",
        404,
        {"json": {"detail": [{"smartlockId": 1, "success": False}]}},
        NukiNotFoundError,
        '"success": false',
    ),
    (
        "405",
        405,
        {"json": {"message": "Method Not Allowed"}},
        NukiNotAllowedError,
        "Method Not Allowed",
    ),
    (
        "409",
        409,
        {"json": nuki_body("Code already exists")},
        NukiConflictError,
        "Code already exists",
    ),
    (
        "422-restlet",
        422,
        {
            "json": {
                "code": 422,
                "description": "Keypad 2 not supported",
                "reasonPhrase": "Unprocessable Entity",
                "uri": "http://x",
            }
        },
        NukiRequestError,
        "Keypad 2 not supported",
    ),
    (
        "423",
        423,
        {"json": {"stackTrace": [], "suppressedExceptions": []}},
        NukiDeviceBusyError,
        "HTTP 423",
    ),
    (
        "426",
        426,
        {"json": {"reasonPhrase": "Upgrade Required"}},
        NukiRequestError,
        "Upgrade Required",
    ),
    (
        "429-html",
        429,
        {"text": nginx("429 Too Many Requests"), "content_type": "text/html"},
        NukiRateLimitError,
        "429 Too Many Requests",
    ),
    (
        "500",
        500,
        {"text": nginx("500 Internal Server Error"), "content_type": "text/html"},
        NukiServerError,
        "500 Internal Server Error",
    ),
    (
        "502",
        502,
        {"text": nginx("502 Bad Gateway"), "content_type": "text/html"},
        NukiServerError,
        "502 Bad Gateway",
    ),
    ("503-empty", 503, {}, NukiServerError, "HTTP 503"),
    ("304", 304, {}, NukiInvalidResponseError, "HTTP 304"),
]


@pytest.mark.parametrize(
    ("status", "reply", "exc", "text"),
    [c[1:] for c in STATUS_CASES],
    ids=[c[0] for c in STATUS_CASES],
)
async def test_status_mapping(
    client: NukiWebApiClient,
    nuki_server: FakeNuki,
    status: int,
    reply: dict[str, Any],
    exc: type[NukiError],
    text: str,
) -> None:
    nuki_server.respond(status, **reply)
    with pytest.raises(exc) as info:
        await client.smartlock(ID)
    assert type(info.value) is exc
    assert info.value.status == status
    message = str(info.value)
    assert message.startswith(f"GET /smartlock/{ID} -> HTTP {status}")
    assert text in message
    assert "<" not in message
    assert "stackTrace" not in message


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "The supplied value '245678' for parameter 'code' is not valid",
            "The supplied value '***' for parameter 'code' is not valid",
        ),
        (
            "The supplied value '1357' for parameter 'pin' is not valid",
            "The supplied value '***' for parameter 'pin' is not valid",
        ),
        (  # not a secret: kept, it says what was wrong
            "The supplied value '13' for parameter 'type' is not valid",
            "The supplied value '13' for parameter 'type' is not valid",
        ),
    ],
)
async def test_an_echoed_keypad_code_or_pin_is_redacted(
    client: NukiWebApiClient,
    nuki_server: FakeNuki,
    caplog: pytest.LogCaptureFixture,
    message: str,
    shown: str,
) -> None:
    """Nuki repeats a refused value in its message; a keypad code reaches no error or log."""
    caplog.set_level(logging.DEBUG)
    nuki_server.respond(400, json=nuki_body(message))
    with pytest.raises(NukiBadRequestError) as info:
        await client.smartlock(ID)
    assert str(info.value).endswith(shown)
    assert "'245678'" not in caplog.text
    assert "'1357'" not in caplog.text


async def test_nginx_html_is_reduced_to_its_title(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(502, text=nginx("502 Bad Gateway"), content_type="text/html")
    with pytest.raises(NukiServerError) as info:
        await client.smartlocks()
    assert str(info.value) == "GET /smartlock -> HTTP 502: 502 Bad Gateway"


async def test_html_without_title_is_stripped(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(500, text="<p>Oops &amp; <b>down</b></p>", content_type="text/html")
    with pytest.raises(NukiServerError) as info:
        await client.smartlocks()
    assert str(info.value) == "GET /smartlock -> HTTP 500: Oops & down"


async def test_long_message_is_truncated(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    nuki_server.respond(400, json=nuki_body("x" * 5000))
    with pytest.raises(NukiBadRequestError) as info:
        await client.lock(ID)
    detail = str(info.value).split(": ", 1)[1]
    assert len(detail) == 200
    assert detail.endswith("…")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({}, None),
        ({"Retry-After": "soon"}, None),
        # Absurd or unparsable hints: clamped to a day, or ignored (issue 11).
        ({"Retry-After": "1000000000"}, RETRY_AFTER_MAX),
        ({"Retry-After": "1e20"}, RETRY_AFTER_MAX),
        ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, RETRY_AFTER_MAX),
        ({"Retry-After": "inf"}, None),
        ({"Retry-After": "-inf"}, None),
        ({"Retry-After": "nan"}, None),
        ({"Retry-After": "-5"}, None),
        ({"Retry-After": "Fri, 99 Foo 2024 99:99:99 GMT"}, None),
    ],
)
async def test_retry_after_seconds(
    client: NukiWebApiClient, nuki_server: FakeNuki, header: dict[str, str], expected: float | None
) -> None:
    nuki_server.respond(
        429, text=nginx("429 Too Many Requests"), content_type="text/html", headers=header
    )
    with pytest.raises(NukiRateLimitError) as info:
        await client.smartlocks()
    assert info.value.retry_after == expected
    assert info.value.status == 429


async def test_retry_after_http_date(client: NukiWebApiClient, nuki_server: FakeNuki) -> None:
    when = datetime.now(UTC) + timedelta(hours=1)
    nuki_server.respond(
        429,
        json=nuki_body("slow down"),
        headers={"Retry-After": format_datetime(when, usegmt=True)},
    )
    with pytest.raises(NukiRateLimitError) as info:
        await client.smartlocks()
    assert info.value.retry_after is not None
    assert 3000 < info.value.retry_after <= 3600


@pytest.mark.parametrize(
    "value", ["Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 -0000"]
)
async def test_retry_after_date_in_the_past(
    client: NukiWebApiClient, nuki_server: FakeNuki, value: str
) -> None:
    nuki_server.respond(429, json=nuki_body("slow down"), headers={"Retry-After": value})
    with pytest.raises(NukiRateLimitError) as info:
        await client.smartlocks()
    assert info.value.retry_after == 0.0


# -- Smart Hosting ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [402, 403, 426, 200])
@pytest.mark.parametrize("key", ["detailMessage", "error", "message"])
async def test_smart_hosting_any_status(
    client: NukiWebApiClient, nuki_server: FakeNuki, status: int, key: str
) -> None:
    nuki_server.respond(status, {key: payloads.SMART_HOSTING, "stackTrace": []})
    with pytest.raises(NukiSmartHostingError) as info:
        await client.action(ID, 1)
    assert info.value.status == status
    assert info.value.smartlock_ids == (ID,)
    assert payloads.SMART_HOSTING in str(info.value)


async def test_smart_hosting_on_get_smartlock(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(403, nuki_body(payloads.SMART_HOSTING))
    with pytest.raises(NukiSmartHostingError) as info:
        await client.smartlock(ID)
    assert info.value.smartlock_ids == (ID,)


async def test_smart_hosting_ids_from_message(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(
        402,
        {
            "error": "Auths cannot be created. Please get Smart Hosting subscription for the Smart Locks with ID: 12121212121, 343434"
        },
    )
    with pytest.raises(NukiSmartHostingError) as info:
        await client.create_auths([12121212121, 343434, 5], {"name": "x", "remoteAllowed": False})
    assert info.value.smartlock_ids == (12121212121, 343434)


async def test_smart_hosting_path_and_message_ids_deduplicated(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(
        426, {"error": f"Smart Hosting required for the Smart Lock with ID: {ID}, 77"}
    )
    with pytest.raises(NukiSmartHostingError) as info:
        await client.create_auth(ID, {"name": "x", "remoteAllowed": False})
    assert info.value.smartlock_ids == (ID, 77)


async def test_advanced_auth_returns_smart_hosting_error(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(
        200,
        {
            "error": "Auths cannot be created. Please get Smart Hosting subscription for the Smart Locks with ID: 12121212121"
        },
    )
    confirmation = await client.create_auths_advanced(
        [12121212121, 9], {"name": "x", "remoteAllowed": True, "accountUserId": 1}
    )
    assert confirmation.smart_hosting_missing
    assert confirmation.smartlock_ids == (12121212121,)
    assert confirmation.request_id is None


async def test_advanced_action_smart_hosting(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(402, {"detailMessage": payloads.SMART_HOSTING})
    with pytest.raises(NukiSmartHostingError) as info:
        await client.advanced_action(ID, 2)
    assert info.value.smartlock_ids == (ID,)


async def test_list_with_error_items_is_not_an_error(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(200, [payloads.SMARTLOCK_NO_SHS])
    (device,) = await client.smartlocks()
    assert device.smart_hosting_missing


async def test_200_with_other_error_field_is_returned(
    client: NukiWebApiClient, nuki_server: FakeNuki
) -> None:
    nuki_server.respond(200, {**payloads.SMARTLOCK_3_4, "error": "something else"})
    device = await client.smartlock(ID)
    assert device.error == "something else"
    assert not device.smart_hosting_missing


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (payloads.SMART_HOSTING, True),
        ("smart hosting needed", True),
        ("SmartHosting", True),
        ("Not authorized", False),
        ("", False),
        (None, False),
    ],
)
def test_is_smart_hosting_error(message: str | None, expected: bool) -> None:
    assert is_smart_hosting_error(message) is expected


# -- transport and shape ---------------------------------------------------------------


async def test_timeout(session: aiohttp.ClientSession, nuki_server: FakeNuki) -> None:
    client = NukiWebApiClient(session, TOKEN, base_url=nuki_server.url, timeout=0.1)
    nuki_server.respond(200, [], delay=30)
    with pytest.raises(NukiTimeoutError) as info:
        await client.smartlocks()
    assert isinstance(info.value, NukiConnectionError)
    assert str(info.value) == "GET /smartlock timed out"


async def test_connection_refused(session: aiohttp.ClientSession, socket_enabled: None) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = NukiWebApiClient(session, TOKEN, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(NukiConnectionError) as info:
        await client.account()
    assert not isinstance(info.value, NukiTimeoutError)
    assert str(info.value).startswith("GET /account failed: ClientConnectorError")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "not JSON"),
        ('[{"smartlockId": 17929391234, "type": 4', "not JSON"),
        ("", "expected a JSON list, got NoneType"),
        ('{"smartlockId": 1}', "expected a JSON list, got dict"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ],
    ids=["malformed", "truncated", "empty", "object-for-list", "deep-nesting"],
)
async def test_invalid_list_response(
    client: NukiWebApiClient, nuki_server: FakeNuki, text: str, match: str
) -> None:
    nuki_server.respond(200, text=text)
    with pytest.raises(NukiInvalidResponseError, match=match):
        await client.smartlocks()


@pytest.mark.parametrize("text", ["", "[]", "null"])
async def test_invalid_object_response(
    client: NukiWebApiClient, nuki_server: FakeNuki, text: str
) -> None:
    nuki_server.respond(200, text=text)
    with pytest.raises(NukiInvalidResponseError, match="expected a JSON object"):
        await client.account()


# -- the token never leaks -------------------------------------------------------------


def token_fragments(token: str, length: int = 8) -> set[str]:
    """Every run of `length` characters of the token (what must never be shown)."""
    return {token[i : i + length] for i in range(len(token) - length + 1)}


def leaked_fragments(text: str, token: str) -> list[str]:
    return sorted(fragment for fragment in token_fragments(token) if fragment in text)


FRAGMENT_CASES: list[tuple[str, int, dict[str, Any], type[NukiError]]] = [
    # A server that echoes the Authorization header it received, cut short.
    (
        "bearer-truncated",
        400,
        {"json": nuki_body(f"Bad header: b'Bearer {TOKEN[:20]}...'")},
        NukiBadRequestError,
    ),
    (
        "bearer-other-value",
        401,
        {"text": "Authorization: bearer x-y-z rejected", "content_type": "text/plain"},
        NukiAuthError,
    ),
    (
        "prefix-without-bearer",
        500,
        {"text": f"<h1>token {TOKEN[:12]}</h1>", "content_type": "text/html"},
        NukiServerError,
    ),
    (
        "middle",
        429,
        {"text": f"slow down {TOKEN[10:30]}!", "content_type": "text/plain"},
        NukiRateLimitError,
    ),
    ("suffix", 423, {"json": nuki_body(f"locked by ...{TOKEN[-9:]}")}, NukiDeviceBusyError),
]


TOKEN_CASES: list[tuple[str, int, dict[str, Any], type[NukiError]]] = [
    ("401", 401, {"json": nuki_body(f"Token {TOKEN} is not authorized")}, NukiAuthError),
    ("400", 400, {"json": {"error": f"bad Bearer {TOKEN}"}}, NukiBadRequestError),
    (
        "403",
        403,
        {"text": f"<html><title>Forbidden {TOKEN}</title></html>", "content_type": "text/html"},
        NukiForbiddenError,
    ),
    ("404", 404, {"json": {"message": TOKEN}}, NukiNotFoundError),
    ("405", 405, {"json": {"detail": {"token": TOKEN}}}, NukiNotAllowedError),
    ("409", 409, {"json": nuki_body(TOKEN)}, NukiConflictError),
    ("423", 423, {"json": nuki_body(TOKEN)}, NukiDeviceBusyError),
    ("429", 429, {"text": f"slow down {TOKEN}", "content_type": "text/plain"}, NukiRateLimitError),
    ("418", 418, {"json": {"description": TOKEN}}, NukiRequestError),
    ("500", 500, {"text": f"<h1>{TOKEN}</h1>", "content_type": "text/html"}, NukiServerError),
    (
        "smart-hosting",
        402,
        {"json": {"error": f"{payloads.SMART_HOSTING} {TOKEN}"}},
        NukiSmartHostingError,
    ),
    (
        "invalid",
        200,
        {"text": f"{{{TOKEN}", "content_type": "application/json"},
        NukiInvalidResponseError,
    ),
    ("invalid-shape", 200, {"json": {"smartlockId": TOKEN}}, NukiInvalidResponseError),
]


@pytest.mark.parametrize(
    ("status", "reply", "exc"),
    [c[1:] for c in TOKEN_CASES + FRAGMENT_CASES],
    ids=[c[0] for c in TOKEN_CASES + FRAGMENT_CASES],
)
async def test_token_never_leaks(
    client: NukiWebApiClient,
    nuki_server: FakeNuki,
    caplog: pytest.LogCaptureFixture,
    status: int,
    reply: dict[str, Any],
    exc: type[NukiError],
) -> None:
    caplog.set_level(logging.DEBUG)
    nuki_server.respond(status, **reply)
    with pytest.raises(exc) as info:
        await client.smartlock(ID)
    assert type(info.value) is exc
    shown = f"{info.value}\n{info.value!r}\n{client!r}\n{caplog.text}"
    assert not leaked_fragments(shown, TOKEN)  # nor the whole token, nor any 8 of it
    assert "x-y-z" not in shown  # any Bearer value, not only ours
    assert f"GET /smartlock/{ID}" in caplog.text  # the rest stays readable


async def test_token_never_leaks_on_timeout_and_refused(
    session: aiohttp.ClientSession, nuki_server: FakeNuki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nuki_server.respond(200, [], delay=30)
    slow = NukiWebApiClient(session, TOKEN, base_url=nuki_server.url, timeout=0.1)
    with pytest.raises(NukiTimeoutError) as timeout:
        await slow.smartlocks()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    refused = NukiWebApiClient(session, TOKEN, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(NukiConnectionError) as connection:
        await refused.smartlocks()
    for err in (timeout.value, connection.value):
        assert TOKEN not in str(err)
        assert TOKEN not in repr(err)
    assert TOKEN not in caplog.text


async def test_fragments_in_connection_errors_are_redacted(
    session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """aiohttp's own messages (here: one that echoes part of the token) pass through redaction.

    (The client refuses an unsafe URL before aiohttp sees it, so aiohttp's message is faked.)
    """
    caplog.set_level(logging.DEBUG)
    client = NukiWebApiClient(session, TOKEN, base_url="http://127.0.0.1:1")
    echo = aiohttp.ClientError(f"Cannot connect to host {TOKEN[:16]}:443 (Bearer {TOKEN[:12]})")
    with (
        patch.object(session, "request", side_effect=echo),
        pytest.raises(NukiConnectionError) as info,
    ):
        await client.account()
    assert not leaked_fragments(f"{info.value}\n{caplog.text}", TOKEN)
