"""A tiny loopback aiohttp server that plays Nuki and records what it received."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from custom_components.nuki_web_api.api import NukiWebApiClient

TOKEN = "tok-3f9c1d2e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d"


@dataclass
class Received:
    """One request as the fake server saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """What the fake server answers to every request."""

    status: int = 204
    json: Any = None
    text: str | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeNuki:
    """Answer every request with ``reply`` and record it in ``requests``."""

    def __init__(self) -> None:
        self.reply = Reply()
        self.requests: list[Received] = []
        self.url = ""
        self.release = asyncio.Event()

    def respond(self, status: int = 200, json: Any = None, **kwargs: Any) -> None:
        self.reply = Reply(status=status, json=json, **kwargs)

    @property
    def last(self) -> Received:
        assert len(self.requests) == 1, self.requests
        return self.requests[0]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            Received(
                request.method,
                request.path,
                dict(request.query),
                await request.read(),
                dict(request.headers),
            )
        )
        reply = self.reply
        if reply.delay:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), reply.delay)
        if reply.text is not None:
            return web.Response(
                status=reply.status,
                text=reply.text,
                content_type=reply.content_type,
                headers=reply.headers,
            )
        if reply.json is not None:
            return web.json_response(reply.json, status=reply.status, headers=reply.headers)
        return web.Response(status=reply.status, headers=reply.headers)


@pytest.fixture
async def nuki_server(socket_enabled: None) -> AsyncIterator[FakeNuki]:
    fake = FakeNuki()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    fake.url = str(server.make_url("/")).rstrip("/")
    yield fake
    fake.release.set()
    await server.close()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def client(session: aiohttp.ClientSession, nuki_server: FakeNuki) -> NukiWebApiClient:
    return NukiWebApiClient(session, TOKEN, base_url=nuki_server.url, timeout=2.0)
