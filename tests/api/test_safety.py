"""Where the token may go: https anywhere, plain http only to this machine; clean tokens."""

from __future__ import annotations

from unittest.mock import patch

import aiohttp
import pytest

from custom_components.nuki_web_api.api import (
    NukiInvalidTokenError,
    NukiUnsafeUrlError,
    NukiWebApiClient,
    UrlProblem,
    check_base_url,
    check_token,
)

from .conftest import TOKEN, FakeNuki


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://api.nuki.io", "https://api.nuki.io"),
        (" https://api.nuki.io/ ", "https://api.nuki.io"),
        ("https://proxy.example/nuki/", "https://proxy.example/nuki"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.5.6.7", "http://127.5.6.7"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("http://localhost:8080/", "http://localhost:8080"),
        ("http://LOCALHOST:8080", "http://LOCALHOST:8080"),
    ],
)
def test_accepted_urls(url: str, kept: str) -> None:
    assert check_base_url(url) == kept


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://169.254.169.254", UrlProblem.NOT_HTTPS),
        ("http://[fe80::1]", UrlProblem.NOT_HTTPS),
        ("http://10.0.0.1", UrlProblem.NOT_HTTPS),
        ("http://127.0.0.1.nip.io", UrlProblem.NOT_HTTPS),  # a name, not this machine
        ("http://2130706433", UrlProblem.NOT_HTTPS),  # resolvers read it as 127.0.0.1; refused
        ("http://127.1", UrlProblem.NOT_HTTPS),
        ("https://user:pw@api.nuki.io", UrlProblem.CREDENTIALS),
        ("http://127.0.0.1:8080@evil.example", UrlProblem.CREDENTIALS),
        ("https://api.nuki.io?x=1", UrlProblem.QUERY),
        ("https://api.nuki.io?", UrlProblem.QUERY),
        ("https://api.nuki.io/#x", UrlProblem.FRAGMENT),
        ("api.nuki.io", UrlProblem.INVALID),
        ("https://", UrlProblem.INVALID),
        ("https://api.nuki.io:99999", UrlProblem.INVALID),
        ("https://api nuki.io", UrlProblem.INVALID),
        ("https://api.nuki.io/\x00", UrlProblem.INVALID),
        ("file:///etc/passwd", UrlProblem.INVALID),
    ],
)
def test_refused_urls(url: str, problem: UrlProblem) -> None:
    with pytest.raises(NukiUnsafeUrlError) as err:
        check_base_url(url)
    assert err.value.problem is problem
    assert "pw" not in str(err.value)


def test_token_is_stripped() -> None:
    assert check_token(f"  {TOKEN}\r\n") == TOKEN


@pytest.mark.parametrize("token", ["", "   ", "a\nb", "a\rb", "a b", "a\x00", "tök", "a\x7f"])
def test_refused_tokens(token: str) -> None:
    with pytest.raises(NukiInvalidTokenError):
        check_token(token)


@pytest.mark.parametrize(
    ("base_url", "token"),
    [("http://169.254.169.254", TOKEN), ("https://user:pw@api.nuki.io", TOKEN)],
)
async def test_client_sends_nothing_where_the_token_is_not_safe(
    session: aiohttp.ClientSession, base_url: str, token: str
) -> None:
    """The client checks before every request, whoever built it from whatever data."""
    client = NukiWebApiClient(session, token, base_url=base_url)
    with patch.object(session, "_request") as sent, pytest.raises(NukiUnsafeUrlError):
        await client.account()
    assert not sent.called


async def test_client_sends_no_token_a_header_cannot_carry(
    session: aiohttp.ClientSession, nuki_server: FakeNuki
) -> None:
    client = NukiWebApiClient(session, "tok\r\nX-Evil: 1", base_url=nuki_server.url)
    with pytest.raises(NukiInvalidTokenError):
        await client.account()
    assert nuki_server.requests == []
