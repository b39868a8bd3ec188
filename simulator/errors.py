"""Nuki's error bodies, raised by handlers as ApiError and rendered by the middleware."""

from __future__ import annotations

from typing import Any

from . import SMART_HOSTING_MESSAGE

NOT_AUTHORIZED = "Your access token is not authorized"
# Nuki's 423 on an auth update carried no message at all (developer.nuki.io/t/1178).
LOCKED_BODY: dict[str, Any] = {"stackTrace": [], "suppressedExceptions": []}
# Restlet's own answer to an unexpected failure, as Nuki's servers send it for a 500.
RESTLET_500: dict[str, Any] = {
    "code": 500,
    "description": "The server encountered an unexpected condition which prevented it from "
    "fulfilling the request",
    "reasonPhrase": "Internal Server Error",
    "uri": "https://tools.ietf.org/html/rfc7231#section-6.6.1",
}
# The keys that may carry the Smart Hosting message: the seed's Restlet body, or docs.nuki.io's
# "If you attempt to perform actions on a smart lock which does not have an SHS subscription,
# the API will return an error: {"error": ...}" (guide/shs/examples).
SMART_HOSTING_BODIES = frozenset({"detailMessage", "error"})


def error_body(message: str) -> dict[str, Any]:
    """Return Nuki's (Restlet) error body."""
    return {"detailMessage": message, "stackTrace": [], "suppressedExceptions": []}


class ApiError(Exception):
    """An HTTP error answer with Nuki's JSON error body (or another ``body``)."""

    def __init__(self, status: int, message: str, body: dict[str, Any] | None = None) -> None:
        """Store status, message and the body to send (default: ``error_body(message)``)."""
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = error_body(message) if body is None else body


def not_valid(value: Any, param: str) -> ApiError:
    """Return Nuki's 400 for an invalid parameter."""
    shown = "null" if value is None else str(value).lower() if isinstance(value, bool) else value
    return ApiError(400, f"The supplied value '{shown}' for parameter '{param}' is not valid")


def not_found(what: str = "Smartlock") -> ApiError:
    """Return a 404."""
    return ApiError(404, f"{what} not found")


def smart_hosting_error(status: int, key: str = "detailMessage") -> ApiError:
    """Return the Smart Hosting error with the configured status and body style."""
    body = None if key == "detailMessage" else {key: SMART_HOSTING_MESSAGE}
    return ApiError(status, SMART_HOSTING_MESSAGE, body)


def locked(message: str) -> ApiError:
    """Return Nuki's 423 "Locked", whose body carries no message."""
    return ApiError(423, message, LOCKED_BODY)
