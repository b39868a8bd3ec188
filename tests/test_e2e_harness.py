"""The browser tests' log check: what counts as a problem of the integration in hass's log."""

from tests.e2e.harness import integration_problems

STAMP = "2026-11-29 21:34:10.000+00:00"


def _record(level: str, logger: str, message: str) -> str:
    return f"{STAMP} {level} (MainThread) [{logger}] {message}\n"


def test_warnings_errors_deprecations_and_tracebacks_of_the_integration_count() -> None:
    ours = [
        _record("WARNING", "custom_components.nuki_web_api.coordinator", "Nuki Web unreachable"),
        _record(
            "ERROR", "homeassistant.config_entries", "Error setting up entry x for nuki_web_api"
        ),
        _record(
            "WARNING",
            "homeassistant.helpers.frame",
            "Detected that custom integration 'nuki_web_api' calls a deprecated API",
        ),
        _record(
            "WARNING",
            "py.warnings",
            "/x/custom_components/nuki_web_api/lock.py:3: DeprecationWarning: old",
        ),
        _record("DEBUG", "custom_components.nuki_web_api", "failed")
        + 'Traceback (most recent call last):\n  File "x.py"\n',
    ]
    assert integration_problems("".join(ours)) == ours


def test_other_records_do_not_count() -> None:
    others = [
        _record("DEBUG", "custom_components.nuki_web_api.api.client", "GET /account"),
        _record("INFO", "homeassistant.setup", "Setting up nuki_web_api"),
        _record(
            "WARNING",
            "homeassistant.loader",
            "We found a custom integration nuki_web_api which has not been tested by Home "
            "Assistant.",
        ),
        # Home Assistant's own, for each platform, when the server language changes.
        _record(
            "WARNING",
            "homeassistant.helpers.translation",
            "Failed to load integration for translation: Invalid domain nuki_web_api.lock",
        ),
        # Another component's traceback through a path that merely contains the name.
        _record("ERROR", "haffmpeg.core", "FFmpeg fails")
        + 'Traceback (most recent call last):\n  File "/root/.cache/nuki_web_api/py/x.py"\n',
    ]
    assert integration_problems("".join(others)) == []
