"""README's test command in a throwaway clone, as a new user without Chromium who cannot install it (not
root, no sudo): `make test` stops before running anything, with one line naming what to run, and exits
non-zero. Offline and bounded (a few seconds): scripts/fresh_clone.sh explain. Its other half, `install`
(real apt-get and pip, minutes), is run by hand: see tests/README.md."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("unshare"),
    reason="hiding the browser in a private mount namespace needs Linux, root and unshare",
)
def test_make_test_without_a_browser_explains_in_one_line_and_runs_nothing() -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "fresh_clone.sh"), "explain"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "explain: passed"
    # The script checked: exit non-zero, exactly one line, the command named, no traceback, no .venv.
    assert "cannot be installed here (not root, and no password-less sudo): `sudo apt-get install chromium`" in (
        done.stdout
    )
