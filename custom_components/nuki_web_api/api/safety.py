"""Where the API token may be sent, and what a token may look like, before any request.

The token is a bearer credential: whoever reads it controls the locks. Over plain http it
can be read on the way, so the API URL must be https; only this machine (a local proxy or
the simulator) may be reached over http. Link-local addresses such as 169.254.169.254 are
another host, not this machine.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum

from yarl import URL

from .errors import NukiError

_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


class UrlProblem(StrEnum):
    """Why a base URL is refused (the values name the config flow's form errors)."""

    INVALID = "invalid_url"
    NOT_HTTPS = "insecure_url"
    CREDENTIALS = "url_credentials"
    QUERY = "url_query"
    FRAGMENT = "url_fragment"


class NukiUnsafeUrlError(NukiError, ValueError):
    """The base URL is not one the token may be sent to; nothing was sent."""

    def __init__(self, problem: UrlProblem) -> None:
        super().__init__(f"refused API URL: {problem.value}")
        self.problem = problem


class NukiInvalidTokenError(NukiError, ValueError):
    """The token cannot be a Nuki API token (empty, spaces, control or non-ASCII characters)."""


def is_loopback_host(host: str) -> bool:
    """Tell whether HOST is this machine: 127.0.0.0/8, ::1 or localhost."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Return URL without surrounding spaces and trailing slashes, or raise NukiUnsafeUrlError.

    The client joins paths to it as text, so a query or a fragment would end up in the
    middle of every request; credentials would go to the server next to the token.
    """
    text = url.strip()
    if any(not char.isprintable() or char.isspace() for char in text):
        raise NukiUnsafeUrlError(UrlProblem.INVALID)
    try:
        parsed = URL(text)
    except ValueError:
        raise NukiUnsafeUrlError(UrlProblem.INVALID) from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise NukiUnsafeUrlError(UrlProblem.INVALID)
    if parsed.user is not None or parsed.password is not None or "@" in parsed.raw_authority:
        raise NukiUnsafeUrlError(UrlProblem.CREDENTIALS)
    if "?" in text:
        raise NukiUnsafeUrlError(UrlProblem.QUERY)
    if "#" in text:
        raise NukiUnsafeUrlError(UrlProblem.FRAGMENT)
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise NukiUnsafeUrlError(UrlProblem.NOT_HTTPS)
    return text.rstrip("/")


def _token_ok(token: str) -> bool:
    return bool(token) and all("!" <= char <= "~" for char in token)


def check_token(token: str) -> str:
    """Return the token without surrounding whitespace, or raise NukiInvalidTokenError.

    A token is sent in an HTTP header: a control character would break the request (or
    smuggle another header), and Nuki's tokens are plain ASCII without spaces.
    """
    text = token.strip()
    if not _token_ok(text):
        raise NukiInvalidTokenError(
            "the API token is empty or contains spaces, control or non-ASCII characters"
        )
    return text


def ensure_safe(base_url: str, token: str) -> None:
    """Raise instead of sending TOKEN to BASE_URL when either check refuses them.

    The client calls this before every request, whoever built it from whatever data.
    """
    check_base_url(base_url)
    if not _token_ok(token):
        raise NukiInvalidTokenError("the API token contains characters a header cannot carry")
