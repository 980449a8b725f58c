"""local/browser.py: the page tests' Chromium is found (CHROMIUM=, Debian's, Playwright's own), installed
with apt-get where that is possible, or one line says what to run. Offline: apt-get and sudo here are
stand-ins on a private PATH that record what they were asked; nothing is installed for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from local import browser
from tests.support.paths import ROOT


def executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def test_an_explicit_chromium_wins_and_a_wrong_one_is_an_error(tmp_path: Path) -> None:
    mine = executable(tmp_path / "opt" / "chrome")
    debian = executable(tmp_path / "bin" / "chromium")
    env = {"PATH": str(debian.parent), "HOME": str(tmp_path)}
    assert browser.find(env) == str(debian)
    assert browser.find({**env, "CHROMIUM": str(mine)}) == str(mine)
    with pytest.raises(browser.BrowserMissing, match="CHROMIUM=/nowhere/chrome is not an executable"):
        browser.find({**env, "CHROMIUM": "/nowhere/chrome"})


def test_playwrights_own_download_is_found_newest_revision_first(tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path / "empty"), "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert browser.find(env) is None
    cache = tmp_path / "cache" / "ms-playwright"
    executable(cache / "chromium-1140" / "chrome-linux" / "chrome")
    newest = executable(cache / "chromium-1187" / "chrome-linux" / "chrome")
    assert browser.find(env) == str(newest)
    elsewhere = executable(tmp_path / "pw" / "chromium_headless_shell-1200" / "chrome-linux" / "headless_shell")
    assert browser.find({**env, "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "pw")}) == str(elsewhere)


@pytest.mark.parametrize(
    ("euid", "apt_get", "sudo_ok", "prefix"),
    [
        (0, True, False, []),  # root: apt-get itself
        (1000, True, True, ["sudo", "-n"]),  # password-less sudo (CI runners)
        (1000, True, False, None),  # neither: explain
        (0, False, False, None),  # no apt-get (another OS or distribution): explain
    ],
)
def test_apt_get_runs_as_root_or_through_password_less_sudo_only(
    euid: int, apt_get: bool, sudo_ok: bool, prefix: list[str] | None
) -> None:
    assert browser.installer(euid, apt_get, sudo_ok) == prefix


def run_install(tmp_path: Path, tools: dict[str, str], *, as_user: bool = False) -> subprocess.CompletedProcess[str]:
    """`python -m local.browser install` (what `make test` runs first) with only ``tools`` on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, script in tools.items():
        executable(bin_dir / name, script)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), "LOG": str(tmp_path)}
    command = [sys.executable, "-m", "local.browser", "install"]
    if as_user and os.geteuid() == 0:
        # Not root: a user namespace without a mapping (its uid is the overflow uid, 65534).
        unshare = shutil.which("unshare")
        if not unshare or subprocess.run([unshare, "--user", "true"], capture_output=True).returncode != 0:
            pytest.skip("running as root, and `unshare --user` is not available to test as another user")
        command = [unshare, "--user", *command]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


# apt-get stand-in: records its arguments; `install chromium` puts a chromium on PATH.
CHMOD = shutil.which("chmod") or "/bin/chmod"
APT_GET = f"""#!/bin/sh
echo "apt-get $*" >> "$LOG/calls"
case "$*" in *install*chromium*) printf '#!/bin/sh\\n' > "$LOG/bin/chromium"; {CHMOD} +x "$LOG/bin/chromium";; esac
"""
SUDO_LETS_IN = '#!/bin/sh\necho "sudo $*" >> "$LOG/calls"\n[ "$1" = -n ] && shift\nexec "$@"\n'
SUDO_ASKS = '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n'


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="apt-get is Debian's (Linux)")
def test_installs_debians_chromium_where_it_can(tmp_path: Path) -> None:
    env_tool = shutil.which("env") or "/usr/bin/env"
    done = run_install(
        tmp_path, {"apt-get": APT_GET, "sudo": SUDO_LETS_IN, "env": f'#!/bin/sh\nexec {env_tool} "$@"\n'}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"browser: {tmp_path / 'bin' / 'chromium'}"
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[-1].endswith("apt-get install -y -qq chromium")
    assert any(c.endswith("apt-get update -qq") for c in calls)


@pytest.mark.parametrize(
    ("tools", "as_user", "says"),
    [
        ({}, False, "no Chromium found, and it cannot be installed here: install Chromium or Chrome"),
        (
            {"apt-get": APT_GET, "sudo": SUDO_ASKS},
            True,
            "(not root, and no password-less sudo): `sudo apt-get install chromium`",
        ),
    ],
    ids=["no-apt-get", "not-root-no-sudo"],
)
def test_otherwise_one_line_says_what_to_run_and_nothing_is_installed(
    tmp_path: Path, tools: dict[str, str], as_user: bool, says: str
) -> None:
    done = run_install(tmp_path, tools, as_user=as_user)
    assert done.returncode == 1
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()  # one line, no traceback
    assert says in line
    assert "CHROMIUM=/path/to/chromium" in line
    assert "playwright install chromium" in line
    assert not (tmp_path / "calls").exists()  # apt-get never ran
