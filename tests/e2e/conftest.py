"""Browser tests: one simulator and one real Home Assistant per session, a logged-in page per test.

Run them with `script/test-e2e`: it passes `-p no:homeassistant` and `--confcutdir tests/e2e`
(so tests/conftest.py, which imports it, is not loaded), because the
pytest-homeassistant-custom-component plugin blocks sockets and checks threads and event
loops around every test, which does not fit processes and a browser that live for the whole
session. Nothing here imports the plugin: `script/test-newest-ha` runs these tests with a
Home Assistant the plugin does not support yet. On failure, a screenshot and Home
Assistant's log land in tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator import DEMO_TOKEN

from . import harness
from .harness import Stack
from .ui import log_in, open_ui, select_language

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


@pytest.fixture(scope="session")
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The simulator and Home Assistant, started once for all browser tests."""
    if request.config.pluginmanager.has_plugin("homeassistant"):
        pytest.skip("browser tests run with script/test-e2e (-p no:homeassistant)")
    base = tmp_path_factory.mktemp("e2e")
    try:
        with harness.run_stack(base, username=USER, password=PASSWORD) as running:
            yield running
        # The whole log, start and stop included, not only the tests' own stretches.
        problems = harness.integration_problems(running.hass_log.read_text())
        assert not problems, "the integration's warnings and errors:\n" + "\n".join(problems)
    finally:
        if request.session.testsfailed:
            ARTIFACTS.mkdir(exist_ok=True)
            for name in ("simulator.log", "hass.out"):
                shutil.copy2(base / name, ARTIFACTS / name)


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
    context.set_default_timeout(60_000)  # generous: 2 shared cores, cold JS cache per test
    pg = context.new_page()
    log_in(pg, stack)
    yield pg
    report = request.node.stash.get(REPORT_KEY, None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]", "_", request.node.name)
        pg.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        shutil.copy2(stack.hass_log, ARTIFACTS / f"{name}.home-assistant.log")
    context.close()


@pytest.fixture(autouse=True)
def integration_log_is_clean(stack: Stack) -> Iterator[None]:
    """Fail a test during which the integration logged a warning, error, traceback or deprecation."""
    offset = stack.hass_log.stat().st_size
    yield
    with stack.hass_log.open() as log:
        log.seek(offset)
        problems = harness.integration_problems(log.read())
    assert not problems, "the integration's warnings and errors:\n" + "\n".join(problems)


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


@pytest.fixture
def german(page: Page, stack: Stack) -> Iterator[Page]:
    """The test user's profile language is German for one test, English again afterwards."""
    open_ui(page, stack, "/profile/general")
    select_language(page, "de")
    yield page
    open_ui(page, stack, "/profile/general")
    select_language(page, "en")
