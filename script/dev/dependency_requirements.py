"""Print the requirements Home Assistant would pip-install when it loads the integration.

Home Assistant installs the requirements of an integration's dependencies and
after_dependencies (recursively) the first time it loads it, e.g. when a config flow
starts. Ours name `cloud` as an after-dependency, whose tree (openai, matter, bluetooth…)
takes minutes to install; script/setup installs it ahead so that a browser test does not
wait for pip. Run with the venv whose Home Assistant counts:
    VENV/bin/python script/dev/dependency_requirements.py custom_components/nuki_web_api
"""

import json
import sys
from pathlib import Path

import homeassistant.components


def requirements(integration: Path) -> set[str]:
    """The requirement specs of INTEGRATION and of every built-in integration it pulls in."""
    builtin = Path(homeassistant.components.__path__[0])
    specs: set[str] = set()
    seen: set[str] = set()
    todo = [integration / "manifest.json"]
    while todo:
        manifest = json.loads(todo.pop().read_text())
        specs.update(manifest.get("requirements", []))
        for domain in manifest.get("dependencies", []) + manifest.get("after_dependencies", []):
            if domain not in seen and (builtin / domain / "manifest.json").is_file():
                seen.add(domain)
                todo.append(builtin / domain / "manifest.json")
    return specs


if __name__ == "__main__":
    print("\n".join(sorted(requirements(Path(sys.argv[1])))))
