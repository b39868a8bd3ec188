"""Nuki's error bodies, raised by handlers as ApiError and rendered by the middleware."""

from __future__ import annotations

from typing import Any

from . import SMART_HOSTING_MESSAGE

NOT_AUTHORIZED = "Your access token is not authorized"


def error_body(message: str) -> dict[str, Any]:
    """Return Nuki's (Restlet) error body."""
    return {"detailMessage": message, "stackTrace": [], "suppressedExceptions": []}


class ApiError(Exception):
    """An HTTP error answer with Nuki's JSON error body."""

    def __init__(self, status: int, message: str) -> None:
        """Store status and message."""
        super().__init__(message)
        self.status = status
        self.message = message


def not_valid(value: Any, param: str) -> ApiError:
    """Return Nuki's 400 for an invalid parameter."""
    shown = "null" if value is None else str(value).lower() if isinstance(value, bool) else value
    return ApiError(400, f"The supplied value '{shown}' for parameter '{param}' is not valid")


def not_found(what: str = "Smartlock") -> ApiError:
    """Return a 404."""
    return ApiError(404, f"{what} not found")


def smart_hosting_error(status: int) -> ApiError:
    """Return the Smart Hosting error with the configured status (default 402)."""
    return ApiError(status, SMART_HOSTING_MESSAGE)
