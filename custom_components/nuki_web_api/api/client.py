"""Async client for the Nuki Web API (https://api.nuki.io)."""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

import aiohttp

from .enums import ActionOption, AuthType, LockAction, OpenerAction
from .errors import (
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
    is_smart_hosting_error,
)
from .models import (
    Account,
    AdvancedConfirmation,
    DecentralWebhook,
    JsonObject,
    JsonValue,
    ParsedList,
    Smartlock,
    SmartlockAuth,
    SmartlockLog,
    smartlock_ids_in,
)
from .safety import ensure_safe

_LOGGER = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.nuki.io"
DEFAULT_TIMEOUT: Final = 20.0
MAX_LOG_LIMIT: Final = 50
# Parsed log entries kept for reuse: a few pages, as a cycle reads up to two.
_KNOWN_LOGS: Final = 4 * MAX_LOG_LIMIT
# Unparsable list items already reported (each is logged once), at most this many.
_KNOWN_SKIPPED: Final = 200
_MESSAGE_MAX: Final = 200
# Retry-After beyond this (seconds) is taken as this: a server's hint, not a promise to keep.
RETRY_AFTER_MAX: Final = 86400.0
# Nuki echoes a refused value ("The supplied value '245678' for parameter 'code' is not
# valid", developer.nuki.io/t/16794); a keypad code or PIN must reach no message or log.
_SECRET_VALUE: Final = re.compile(
    r"value '[^']*'(?= for parameter '(?:code|pin|adminPin)')", re.IGNORECASE
)
_MESSAGE_KEYS: Final = (
    "detailMessage",
    "error",
    "message",
    "detail",
    "description",
    "reasonPhrase",
)

# Whatever follows "Bearer" is a credential, ours or not (a server may echo the header).
_BEARER_VALUE: Final = re.compile(r"\b(bearer)\s+[^\s\"'<>,;]+", re.IGNORECASE)
# Runs of this many characters of the token are redacted wherever they appear, so that an
# echo cut short (or a token too long for a header) shows no part of it.
_FRAGMENT: Final = 8
_REDACTED: Final = "***"

_STATUS_ERRORS: Final[dict[int, type[NukiRequestError]]] = {
    400: NukiBadRequestError,
    403: NukiForbiddenError,
    404: NukiNotFoundError,
    405: NukiNotAllowedError,
    409: NukiConflictError,
    423: NukiDeviceBusyError,
}

type Action = LockAction | OpenerAction | int


def _server_message(body: JsonValue) -> str | None:
    """Pick the human message out of Nuki's several error body styles."""
    if not isinstance(body, dict):
        return body if isinstance(body, str) else None
    for key in _MESSAGE_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list | dict) and value:
            return json.dumps(value)
    return None


def _html_text(text: str) -> str:
    """Reduce an HTML page (nginx error) to its title or its visible text."""
    if title := re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL):
        text = title[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _retry_after(value: str | None) -> float | None:
    """Read Retry-After as seconds or as an HTTP date, at most RETRY_AFTER_MAX.

    What is not a finite, non-negative number or a date (``nan``, ``inf``, ``-5``, garbage)
    is ignored (None); a date in the past means now (0).
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return min(seconds, RETRY_AFTER_MAX) if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(value)
    except TypeError, ValueError, OverflowError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), RETRY_AFTER_MAX)


def _rfc3339(value: datetime) -> str:
    """Format a date for Nuki's ``fromDate`` filter (naive dates are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class NukiWebApiClient:
    """Talk to the Nuki Web API with a bearer token over an injected aiohttp session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the session and the token; the token never leaves the Authorization header."""
        self._session = session
        self.__token = token
        self.__fragments = frozenset(
            token[i : i + _FRAGMENT] for i in range(len(token) - _FRAGMENT + 1)
        )
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        # smartlocks() answers an item equal to the last call's with the same object.
        self._smartlocks: dict[int, Smartlock] = {}
        # logs() answers an entry equal to a recently returned one with the same object
        # (pages overlap from cycle to cycle); by id, the newest _KNOWN_LOGS entries.
        self._logs: dict[str, tuple[JsonValue, SmartlockLog]] = {}
        self._skipped: dict[str, None] = {}

    def __repr__(self) -> str:
        """Describe the client without the token."""
        return f"NukiWebApiClient(base_url={self._base_url!r})"

    # -- transport ---------------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        """Redact Bearer values and every run of _FRAGMENT or more characters of the token."""
        text = _BEARER_VALUE.sub(rf"\1 {_REDACTED}", text)
        if len(self.__token) < _FRAGMENT:
            return text.replace(self.__token, _REDACTED) if self.__token else text
        spans: list[list[int]] = []
        for start in range(len(text) - _FRAGMENT + 1):
            if text[start : start + _FRAGMENT] in self.__fragments:
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = start + _FRAGMENT
                else:
                    spans.append([start, start + _FRAGMENT])
        if not spans:
            return text
        parts: list[str] = []
        end = 0
        for start, stop in spans:
            parts += [text[end:start], _REDACTED]
            end = stop
        parts.append(text[end:])
        return "".join(parts)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: JsonValue | None = None,
        params: Mapping[str, str] | None = None,
        smartlock_id: int | None = None,
        return_error_body: bool = False,
    ) -> JsonValue | None:
        """Send one request and return the decoded JSON body (``None`` for an empty body).

        ``body`` None sends no body at all (Nuki answers 415 to an empty JSON body on some
        endpoints). ``smartlock_id`` names the device for a Smart Hosting error. A 2xx
        object with a Smart Hosting ``error`` raises unless ``return_error_body`` is set.
        """
        ensure_safe(self._base_url, self.__token)
        headers = {"Authorization": f"Bearer {self.__token}", "Accept": "application/json"}
        what = self._scrub(f"{method} {path}")
        _LOGGER.debug("%s", what)
        try:
            async with self._session.request(
                method,
                f"{self._base_url}{path}",
                headers=headers,
                params=params,
                json=body,
                skip_auto_headers=("Content-Type",) if body is None else None,
                timeout=self._timeout,
            ) as response:
                raw = await response.read()
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except TimeoutError:
            raise NukiTimeoutError(f"{what} timed out") from None
        except aiohttp.ClientError as err:
            reason = self._scrub(str(err))[:_MESSAGE_MAX]
            raise NukiConnectionError(f"{what} failed: {type(err).__name__}: {reason}") from None
        _LOGGER.debug("%s -> HTTP %s (%d bytes)", what, status, len(raw))

        text = raw.decode("utf-8", errors="replace")
        decoded: JsonValue | None = None
        json_error: str | None = None
        if text.strip():
            try:
                decoded = json.loads(text)
            except (ValueError, RecursionError) as err:  # RecursionError: absurdly deep nesting
                json_error = str(err)

        if 200 <= status < 300:
            if json_error is not None:
                raise NukiInvalidResponseError(
                    self._message(what, status, f"not JSON ({json_error})"), status=status
                )
            if (
                not return_error_body
                and isinstance(decoded, dict)
                and is_smart_hosting_error(_server_message(decoded))
            ):
                raise self._smart_hosting(what, status, decoded, smartlock_id)
            return decoded
        raise self._error(
            what, status, decoded if json_error is None else text, retry_after, smartlock_id
        )

    def _message(self, what: str, status: int, detail: str | None) -> str:
        """Build an error message: method, path, status and a short cleaned server message."""
        if detail:
            # Redact before cutting short (a cut could leave a fragment too short to spot);
            # the first few times the shown length are enough and bound the work.
            detail = _SECRET_VALUE.sub("value '***'", detail[: 4 * _MESSAGE_MAX])
            detail = self._scrub(" ".join(detail.split()))
            if len(detail) > _MESSAGE_MAX:
                detail = detail[: _MESSAGE_MAX - 1] + "…"
        return f"{what} -> HTTP {status}: {detail}" if detail else f"{what} -> HTTP {status}"

    def _smart_hosting(
        self, what: str, status: int, body: JsonValue, smartlock_id: int | None
    ) -> NukiSmartHostingError:
        detail = _server_message(body)
        ids = ((smartlock_id,) if smartlock_id is not None else ()) + smartlock_ids_in(detail)
        return NukiSmartHostingError(
            self._message(what, status, detail),
            status=status,
            smartlock_ids=tuple(dict.fromkeys(ids)),
        )

    def _error(
        self,
        what: str,
        status: int,
        body: JsonValue,
        retry_after: str | None,
        smartlock_id: int | None,
    ) -> NukiError:
        """Map a non-2xx answer to the exception hierarchy."""
        detail = _server_message(body)
        if isinstance(body, str) and "<" in body:
            detail = _html_text(body)
        if is_smart_hosting_error(detail):
            return self._smart_hosting(what, status, body, smartlock_id)
        message = self._message(what, status, detail)
        _LOGGER.debug("%s", message)
        if status == 401:
            return NukiAuthError(message, status=status)
        if status == 429:
            return NukiRateLimitError(message, retry_after=_retry_after(retry_after))
        if status in _STATUS_ERRORS:
            return _STATUS_ERRORS[status](message, status=status)
        if 400 <= status < 500:
            return NukiRequestError(message, status=status)
        if status >= 500:
            return NukiServerError(message, status=status)
        return NukiInvalidResponseError(message, status=status)

    async def _get_list(
        self, path: str, params: Mapping[str, str] | None = None, *, smartlock_id: int | None = None
    ) -> list[JsonValue]:
        data = await self._request("GET", path, params=params, smartlock_id=smartlock_id)
        if not isinstance(data, list):
            raise NukiInvalidResponseError(
                self._scrub(f"GET {path}: expected a JSON list, got {type(data).__name__}")
            )
        return data

    def _parse_each[T](
        self, items: list[JsonValue], parse: Callable[[JsonValue], T], what: str, id_key: str
    ) -> ParsedList[T]:
        """Parse a list answer item by item; skip (and log once) what cannot be parsed."""
        parsed = ParsedList[T]()
        for item in items:
            try:
                parsed.append(parse(item))
            except NukiInvalidResponseError as err:
                parsed.skipped += 1
                self._report_skipped(item, what, id_key, err)
        return parsed

    def _report_skipped(
        self, item: JsonValue, what: str, id_key: str, err: NukiInvalidResponseError
    ) -> None:
        item_id = item.get(id_key) if isinstance(item, dict) else None
        key = f"{what} {json.dumps(item_id if item_id is not None else item)[:200]} {err}"
        if key in self._skipped:
            return
        self._skipped[key] = None
        if len(self._skipped) > _KNOWN_SKIPPED:
            del self._skipped[next(iter(self._skipped))]
        shown = "" if item_id is None else f" (id {str(item_id)[:40]})"
        _LOGGER.debug("Skipped %s that cannot be parsed%s: %s", what, shown, self._scrub(str(err)))

    async def _get_object(self, path: str, *, smartlock_id: int | None = None) -> JsonValue:
        data = await self._request("GET", path, smartlock_id=smartlock_id)
        if not isinstance(data, dict):
            raise NukiInvalidResponseError(
                self._scrub(f"GET {path}: expected a JSON object, got {type(data).__name__}")
            )
        return data

    async def _send(
        self,
        method: str,
        path: str,
        body: JsonValue | None = None,
        *,
        smartlock_id: int | None = None,
    ) -> None:
        await self._request(method, path, body=body, smartlock_id=smartlock_id)

    async def _send_to_device(
        self, method: str, smartlock_id: int, path: str, body: JsonValue | None = None
    ) -> None:
        """Send to ``/smartlock/{smartlock_id}/{path}``; a Smart Hosting error names the device."""
        await self._send(
            method, f"/smartlock/{smartlock_id}/{path}", body, smartlock_id=smartlock_id
        )

    async def _request_id(self, smartlock_id: int, action: str, body: JsonValue | None) -> str:
        """POST an Advanced API action of one device; return the requestId of its answer."""
        path = f"/smartlock/{smartlock_id}/{action}/advanced"
        data = await self._request("POST", path, body=body, smartlock_id=smartlock_id)
        confirmation = AdvancedConfirmation.from_json(data)
        if confirmation.request_id is None:
            detail = confirmation.error or "no requestId"
            raise NukiInvalidResponseError(self._message(self._scrub(f"POST {path}"), 200, detail))
        return confirmation.request_id

    # -- account and devices -----------------------------------------------------------

    async def account(self) -> Account:
        """Return the account the token belongs to."""
        return Account.from_json(await self._get_object("/account"))

    async def smartlocks(self) -> ParsedList[Smartlock]:
        """Return every device of the account (items may carry only ids and an error).

        An item that equals the one of the previous call comes back as the same object:
        no parsing, and callers can tell "unchanged" by identity. Items that cannot be
        parsed are left out and counted in ``skipped``.
        """
        items = await self._get_list("/smartlock")
        devices = self._parse_each(items, self._reuse_or_parse, "a device", "smartlockId")
        self._smartlocks = {device.smartlock_id: device for device in devices}
        return devices

    def _reuse_or_parse(self, item: JsonValue) -> Smartlock:
        known = None
        if isinstance(item, dict) and isinstance(smartlock_id := item.get("smartlockId"), int):
            known = self._smartlocks.get(smartlock_id)
            if known is not None and known.raw == item:
                return known
        return Smartlock.from_json(item, known)

    async def smartlock(self, smartlock_id: int) -> Smartlock:
        """Return one device."""
        return Smartlock.from_json(
            await self._get_object(f"/smartlock/{smartlock_id}", smartlock_id=smartlock_id)
        )

    # -- actions -----------------------------------------------------------------------

    async def action(
        self, smartlock_id: int, action: Action, option: ActionOption | int = 0
    ) -> None:
        """Ask for an action; Nuki accepts it (204) and executes it asynchronously."""
        body: JsonValue = {"action": int(action), "option": int(option)}
        await self._send_to_device("POST", smartlock_id, "action", body)

    async def lock(self, smartlock_id: int) -> None:
        """Lock (no body)."""
        await self._send_to_device("POST", smartlock_id, "action/lock")

    async def unlock(self, smartlock_id: int) -> None:
        """Unlock (no body)."""
        await self._send_to_device("POST", smartlock_id, "action/unlock")

    async def sync(self, smartlock_id: int) -> None:
        """Ask the server to sync with the device; it wakes the device, so call it sparingly."""
        await self._send_to_device("POST", smartlock_id, "sync")

    async def advanced_action(
        self, smartlock_id: int, action: Action, option: ActionOption | int = 0
    ) -> str:
        """Advanced API action; return the requestId the result webhook will carry."""
        body: JsonValue = {"action": int(action), "option": int(option)}
        return await self._request_id(smartlock_id, "action", body)

    async def advanced_lock(self, smartlock_id: int) -> str:
        """Advanced API lock; return the requestId."""
        return await self._request_id(smartlock_id, "action/lock", None)

    async def advanced_unlock(self, smartlock_id: int) -> str:
        """Advanced API unlock; return the requestId."""
        return await self._request_id(smartlock_id, "action/unlock", None)

    # -- logs --------------------------------------------------------------------------

    async def logs(
        self,
        *,
        smartlock_id: int | None = None,
        from_date: datetime | None = None,
        before_id: str | None = None,
        limit: int = MAX_LOG_LIMIT,
    ) -> ParsedList[SmartlockLog]:
        """Return log entries, newest first; ``before_id`` pages backwards from that entry.

        Entries that cannot be parsed are left out and counted in ``skipped``.
        """
        params = {"limit": str(max(1, min(limit, MAX_LOG_LIMIT)))}
        if from_date is not None:
            params["fromDate"] = _rfc3339(from_date)
        if before_id is not None:
            params["id"] = before_id
        path = "/smartlock/log" if smartlock_id is None else f"/smartlock/{smartlock_id}/log"
        items = await self._get_list(path, params, smartlock_id=smartlock_id)
        return self._parse_each(items, self._reuse_or_parse_log, "a log entry", "id")

    def _reuse_or_parse_log(self, item: JsonValue) -> SmartlockLog:
        """Reuse the entry parsed from an equal item (an error item may share the id)."""
        log_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(log_id, str):
            return SmartlockLog.from_json(item)
        known = self._logs.pop(log_id, None)
        entry = known[1] if known is not None and known[0] == item else SmartlockLog.from_json(item)
        self._logs[log_id] = (item, entry)
        if len(self._logs) > _KNOWN_LOGS:
            del self._logs[next(iter(self._logs))]
        return entry

    # -- authorizations ----------------------------------------------------------------

    async def auths(
        self, *, smartlock_id: int | None = None, types: Iterable[AuthType | int] | None = None
    ) -> ParsedList[SmartlockAuth]:
        """Return authorizations of all devices or of one, optionally filtered by type.

        Items that cannot be parsed are left out and counted in ``skipped``.
        """
        params = None if types is None else {"types": ",".join(str(int(t)) for t in types)}
        path = "/smartlock/auth" if smartlock_id is None else f"/smartlock/{smartlock_id}/auth"
        items = await self._get_list(path, params, smartlock_id=smartlock_id)
        return self._parse_each(items, SmartlockAuth.from_json, "an authorization", "id")

    async def create_auths(self, smartlock_ids: Iterable[int], auth: JsonObject) -> None:
        """Create one authorization on several devices (devices without Smart Hosting are skipped silently by Nuki)."""
        await self._send("PUT", "/smartlock/auth", {**auth, "smartlockIds": list(smartlock_ids)})

    async def create_auth(self, smartlock_id: int, auth: JsonObject) -> None:
        """Create an authorization on one device."""
        await self._send_to_device("PUT", smartlock_id, "auth", dict(auth))

    async def update_auth(self, smartlock_id: int, auth_id: str, changes: JsonObject) -> None:
        """Update one authorization (send the complete object: omitted fields may be cleared)."""
        await self._send_to_device("POST", smartlock_id, f"auth/{auth_id}", dict(changes))

    async def delete_auth(self, smartlock_id: int, auth_id: str) -> None:
        """Delete one authorization."""
        await self._send_to_device("DELETE", smartlock_id, f"auth/{auth_id}")

    async def update_auths(self, items: Sequence[JsonObject]) -> None:
        """Update several authorizations (each item carries its ``id``)."""
        await self._send("POST", "/smartlock/auth", [dict(item) for item in items])

    async def delete_auths(self, auth_ids: Iterable[str]) -> None:
        """Delete several authorizations by id."""
        await self._send("DELETE", "/smartlock/auth", list(auth_ids))

    async def create_auths_advanced(
        self, smartlock_ids: Iterable[int], auth: JsonObject
    ) -> AdvancedConfirmation:
        """Advanced auth creation; a Smart Hosting ``error`` is returned, not raised."""
        data = await self._request(
            "PUT",
            "/smartlock/auth/advanced",
            body={**auth, "smartlockIds": list(smartlock_ids)},
            return_error_body=True,
        )
        return AdvancedConfirmation.from_json(data)

    # -- configuration -----------------------------------------------------------------

    async def update_config(self, smartlock_id: int, config: JsonObject) -> None:
        """Write ``config`` (its writable subset)."""
        await self._send_to_device("POST", smartlock_id, "config", dict(config))

    async def update_advanced_config(self, smartlock_id: int, config: JsonObject) -> None:
        """Write a lock's ``advancedConfig``."""
        await self._send_to_device("POST", smartlock_id, "advanced/config", dict(config))

    async def update_opener_advanced_config(self, smartlock_id: int, config: JsonObject) -> None:
        """Write an Opener's ``openerAdvancedConfig``."""
        await self._send_to_device("POST", smartlock_id, "advanced/openerconfig", dict(config))

    async def update_smartdoor_advanced_config(self, smartlock_id: int, config: JsonObject) -> None:
        """Write a Smart Door's ``smartdoorAdvancedConfig``."""
        await self._send_to_device("POST", smartlock_id, "advanced/smartdoorconfig", dict(config))

    async def update_web_config(self, smartlock_id: int, config: JsonObject) -> None:
        """Write ``webConfig``."""
        await self._send_to_device("POST", smartlock_id, "web/config", dict(config))

    async def bulk_web_config(self, smartlock_ids: Iterable[int], config: JsonObject) -> None:
        """Write the same ``webConfig`` to several devices in one request."""
        requests: list[JsonValue] = [
            {"smartlockId": smartlock_id, "webConfig": dict(config)}
            for smartlock_id in smartlock_ids
        ]
        await self._send("POST", "/bulk-web-config", {"webConfigRequests": requests})

    async def set_admin_pin(self, smartlock_id: int, pin: int) -> None:
        """Set the device's admin PIN."""
        await self._send_to_device("POST", smartlock_id, "admin/pin", {"adminPin": pin})

    # -- decentral webhooks ------------------------------------------------------------

    async def decentral_webhooks(self) -> ParsedList[DecentralWebhook]:
        """Return the registered decentral webhooks (Advanced API); unparsable items are skipped."""
        items = await self._get_list("/api/decentralWebhook")
        return self._parse_each(items, DecentralWebhook.from_json, "a webhook", "id")

    async def register_decentral_webhook(
        self, url: str, features: Iterable[str]
    ) -> DecentralWebhook:
        """Register a decentral webhook; the answer carries the signing secret."""
        body: JsonValue = {"webhookUrl": url, "webhookFeatures": list(features)}
        return DecentralWebhook.from_json(
            await self._request("PUT", "/api/decentralWebhook", body=body)
        )

    async def delete_decentral_webhook(self, webhook_id: int) -> None:
        """Remove a decentral webhook."""
        await self._send("DELETE", f"/api/decentralWebhook/{webhook_id}")
