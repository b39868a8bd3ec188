"""Exceptions raised by the Nuki Web API client.

The client builds every message itself and scrubs the token out of it, so
``str()`` and ``repr()`` of these exceptions are safe to log.
"""

from __future__ import annotations

import re

_SMART_HOSTING = re.compile(r"smart\s*hosting", re.IGNORECASE)


def is_smart_hosting_error(message: str | None) -> bool:
    """Tell whether a server message is Nuki's "no Smart Hosting subscription" error."""
    return bool(message) and _SMART_HOSTING.search(message or "") is not None


class NukiError(Exception):
    """Base class of every error the client raises; ``status`` is the HTTP status if any."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        """Store the (already scrubbed) message and the HTTP status."""
        super().__init__(message)
        self.status = status


class NukiAuthError(NukiError):
    """401: the token is invalid, revoked, or lacks the endpoint's scope."""


class NukiRequestError(NukiError):
    """A 4xx answer other than 401 (and other than the Smart Hosting error)."""

    status: int


class NukiBadRequestError(NukiRequestError):
    """400: Nuki rejected a parameter."""


class NukiForbiddenError(NukiRequestError):
    """403: no right to this device or resource (or the Advanced API is not approved)."""


class NukiNotFoundError(NukiRequestError):
    """404: unknown device or resource id."""


class NukiNotAllowedError(NukiRequestError):
    """405: the operation is not allowed for this resource."""


class NukiConflictError(NukiRequestError):
    """409: the parameters conflict with existing data (e.g. a duplicate keypad code)."""


class NukiDeviceBusyError(NukiRequestError):
    """423: the resource is locked by a running operation; retry in a few seconds."""


class NukiRateLimitError(NukiRequestError):
    """429: too many requests; ``retry_after`` holds the server's hint in seconds, if any."""

    def __init__(
        self, message: str, *, status: int = 429, retry_after: float | None = None
    ) -> None:
        """Store the message and the Retry-After hint."""
        super().__init__(message, status=status)
        self.retry_after = retry_after


class NukiServerError(NukiError):
    """5xx: a (usually transient) failure on Nuki's side."""

    status: int


class NukiConnectionError(NukiError):
    """The server could not be reached (refused, reset, DNS)."""


class NukiTimeoutError(NukiConnectionError):
    """The request did not complete within the client's timeout."""


class NukiInvalidResponseError(NukiError):
    """The answer was not JSON or did not have the expected shape."""


class NukiSmartHostingError(NukiError):
    """Nuki refuses the request because a device has no active Smart Hosting subscription.

    ``smartlock_ids`` names the affected devices (from the request path and/or the message).
    """

    def __init__(
        self, message: str, *, status: int | None = None, smartlock_ids: tuple[int, ...] = ()
    ) -> None:
        """Store the message, the HTTP status and the affected device ids."""
        super().__init__(message, status=status)
        self.smartlock_ids = smartlock_ids


class NukiWebhookError(NukiError):
    """A webhook body that is not usable: not strict JSON, not an object, malformed, unknown."""


class NukiResultsClosedError(NukiError):
    """The wait for an Advanced API result ended because the receiver closed (push stopped)."""
