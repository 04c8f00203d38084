"""Without Chromium, `make test` on a laptop skips the browser tests; CI fails them.

A browser test is run in a pytest of its own whose PATH has no Chromium on it; the rule
(tests/e2e/conftest.py) answers before the test's workspace is built, so this takes seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.lib.environment import REPO_ROOT
from tests.e2e.conftest import MISSING_CHROMIUM

BROWSER_TEST = (
    "tests/e2e/test_scorecard_in_browser.py"
    "::test_the_page_loads_without_script_errors_or_any_other_file"
)


def _pytest_without_chromium(ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = str(Path(sys.executable).parent)  # the venv's tools, no system Chromium
    env["COLUMNS"] = "200"  # the summary line keeps the whole message
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", BROWSER_TEST, "-q", "-p", "no:cacheprovider"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_on_a_laptop_the_browser_tests_skip_saying_how_to_install_chromium() -> None:
    result = _pytest_without_chromium(ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout, result.stdout
    assert MISSING_CHROMIUM in result.stdout


def test_in_ci_the_browser_tests_fail_without_chromium() -> None:
    result = _pytest_without_chromium(ci="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout, result.stdout
    assert f"Failed: {MISSING_CHROMIUM}" in result.stdout
