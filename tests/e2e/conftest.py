"""Browser tests: one simulator and one real Home Assistant per session, a logged-in page per test.

Run them with `script/test-e2e`: it passes `-p no:homeassistant`, because the
pytest-homeassistant-custom-component plugin blocks sockets and checks threads and event
loops around every test, which does not fit processes and a browser that live for the whole
session. On failure, a screenshot and Home Assistant's log land in tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
import shutil
import time
import urllib.error
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

from simulator import DEMO_TOKEN

from . import harness

collect_ignore_glob: list[str] = []
try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # `script/setup --no-e2e`: nothing to run the browser with
    collect_ignore_glob = ["test_*.py"]

ARTIFACTS = Path(__file__).parent / "artifacts"
USER = "e2e"
PASSWORD = "e2e-password"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync"]
REPORT_KEY = pytest.StashKey[pytest.TestReport]()
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `e2e`, so that `script/test` leaves them out."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the call-phase report, so that fixtures can see whether the test failed."""
    report = yield
    if report.when == "call":
        item.stash[REPORT_KEY] = report
    return report


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace tests/conftest.py's fixture: it needs the in-process `hass` these tests lack."""


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll CONDITION until it holds; fail the test after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


@dataclass(frozen=True)
class Stack:
    """The running simulator and Home Assistant."""

    sim_url: str
    hass_url: str
    config_dir: Path
    tokens: harness.Tokens

    @property
    def hass_log(self) -> Path:
        """Home Assistant's own log file."""
        return self.config_dir / "home-assistant.log"

    def api(self, method: str, path: str, body: object = None) -> Any:
        """Call Home Assistant's REST API as the test user."""
        bearer = self.tokens.access_token
        return harness.request(method, self.hass_url + path, json_body=body, bearer=bearer)

    def state(self, entity_id: str) -> dict[str, Any] | None:
        """An entity's state object, or None when Home Assistant has no such entity."""
        try:
            state: dict[str, Any] = self.api("GET", f"/api/states/{entity_id}")
        except urllib.error.HTTPError as err:
            if err.code == HTTPStatus.NOT_FOUND:
                return None
            raise
        return state

    def wait_for_state(self, entity_id: str, expected: str) -> None:
        """Wait until ENTITY_ID has the EXPECTED state."""
        wait_until(
            lambda: (state := self.state(entity_id)) is not None and state["state"] == expected,
            f"{entity_id} to be {expected}",
        )

    def sim(self, method: str, path: str, body: object = None) -> Any:
        """Call the simulator (its Nuki routes or its /_sim control routes)."""
        return harness.request(method, self.sim_url + path, json_body=body)


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """Start the simulator and Home Assistant on free loopback ports, with a fresh config."""
    if request.config.pluginmanager.has_plugin("homeassistant"):
        pytest.skip("browser tests run with script/test-e2e (-p no:homeassistant)")
    base = tmp_path_factory.mktemp("e2e")
    config_dir = base / "config"
    sim_port, hass_port = harness.free_port(), harness.free_port()
    harness.prepare_config(config_dir, port=hass_port, username=USER, password=PASSWORD)
    sim_url, hass_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{hass_port}"
    with (base / "simulator.log").open("w") as sim_log, (base / "hass.out").open("w") as hass_out:
        sim = harness.start_simulator(sim_port, sim_log)
        hass = harness.start_hass(config_dir, hass_out)
        try:
            harness.wait_for(sim_url + "/_sim/state", sim)
            harness.wait_for(hass_url + "/manifest.json", hass)
            tokens = harness.login(hass_url, USER, PASSWORD)
            harness.wait_until_running(hass_url, tokens.access_token, hass)
            yield Stack(sim_url, hass_url, config_dir, tokens)
        finally:
            harness.stop(hass)
            harness.stop(sim)
            if request.session.testsfailed:
                ARTIFACTS.mkdir(exist_ok=True)
                shutil.copy2(base / "simulator.log", ARTIFACTS / "simulator.log")
                shutil.copy2(base / "hass.out", ARTIFACTS / "hass.out")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (its own browsers are never installed)."""
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, stack: Stack, browser: Browser) -> Iterator[Page]:
    """A fresh browser context, logged in by putting tokens into localStorage (no typing)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.goto(stack.hass_url + "/manifest.json")
    pg.evaluate("t => localStorage.setItem('hassTokens', t)", stack.tokens.local_storage())
    yield pg
    report = request.node.stash.get(REPORT_KEY, None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]", "_", request.node.name)
        pg.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        shutil.copy2(stack.hass_log, ARTIFACTS / f"{name}.home-assistant.log")
    context.close()


@pytest.fixture(autouse=True)
def no_integration_tracebacks(stack: Stack) -> Iterator[None]:
    """Fail a test during which Home Assistant logged a traceback from the integration."""
    offset = stack.hass_log.stat().st_size
    yield
    with stack.hass_log.open() as log:
        log.seek(offset)
        tracebacks = harness.integration_tracebacks(log.read())
    assert not tracebacks, "tracebacks from custom_components.nuki_web_api:\n" + "\n".join(
        tracebacks
    )


@pytest.fixture
def nuki_entry(stack: Stack) -> dict[str, Any]:
    """The integration's config entry, added over REST unless a test already added one."""
    bearer = stack.tokens.access_token
    entries = harness.config_entries(stack.hass_url, bearer)
    if not entries:
        harness.create_entry(stack.hass_url, bearer, token=DEMO_TOKEN, api_url=stack.sim_url)
        entries = harness.config_entries(stack.hass_url, bearer)
    assert [entry["state"] for entry in entries] == ["loaded"]
    return entries[0]
