"""The Chromium that drives the page tests (tests/browser) and `make screenshot`: found, or installed.

Found in this order (the first that exists wins):

1. ``CHROMIUM=<path or command>``: a Chromium or Chrome of your choice, named explicitly;
2. Debian's ``chromium`` package: ``chromium`` on PATH (``/usr/bin/chromium``);
3. Playwright's own download (``.venv/bin/playwright install chromium``, needs the internet), where
   Playwright keeps it: ``PLAYWRIGHT_BROWSERS_PATH``, else its cache folder.

``python -m local.browser install`` runs first in `make test` and `make screenshot` (stdlib only, so it runs
before the virtualenv exists): it prints the browser it found; else installs Debian's package with apt-get,
as root or through password-less sudo (CI runners often run as such a user); else prints one line saying
what to run and exits 1, before anything else has run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ENV = "CHROMIUM"
PACKAGE = "chromium"  # Debian's
# Playwright's download folders (chromium-<revision>, chromium_headless_shell-<revision>) and their binaries.
PLAYWRIGHT_BINARIES = (
    "chromium-*/chrome-linux*/chrome",
    "chromium_headless_shell-*/chrome-linux*/headless_shell",
    "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
    "chromium_headless_shell-*/chrome-mac*/headless_shell",
)


class BrowserMissing(Exception):
    """No browser, and what to do about it (one line)."""


def find(env: Mapping[str, str] = os.environ) -> str | None:
    """The browser's executable, or None. A ``CHROMIUM`` that names nothing runnable is an error, not a
    reason to look elsewhere: it was asked for."""
    named = env.get(ENV, "").strip()
    if named:
        path = shutil.which(named, path=env.get("PATH"))
        if not path:
            raise BrowserMissing(f"{ENV}={named} is not an executable file (nor a command on PATH)")
        return path
    return shutil.which(PACKAGE, path=env.get("PATH")) or playwright_browser(env)


def playwright_browser(env: Mapping[str, str] = os.environ) -> str | None:
    """Playwright's own Chromium when `playwright install chromium` downloaded one (the newest revision)."""
    folder = env.get("PLAYWRIGHT_BROWSERS_PATH")
    if folder == "0":
        return None  # inside the playwright package: not this project's setup
    root = Path(folder) if folder else playwright_cache(env)
    found = [p for pattern in PLAYWRIGHT_BINARIES for p in root.glob(pattern) if os.access(p, os.X_OK)]
    return str(max(found, key=_revision)) if found else None


def playwright_cache(env: Mapping[str, str]) -> Path:
    home = Path(env.get("HOME") or Path.home())
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "ms-playwright"
    return Path(env.get("XDG_CACHE_HOME") or home / ".cache") / "ms-playwright"


def _revision(path: Path) -> tuple[int, str]:
    folder = next((part for part in path.parts if part.startswith("chromium")), "")
    match = re.search(r"-(\d+)$", folder)
    return (int(match.group(1)) if match else 0, str(path))


def require(env: Mapping[str, str] = os.environ) -> str:
    """The browser's executable, or BrowserMissing saying how to get one."""
    path = find(env)
    if not path:
        raise BrowserMissing(f"no Chromium found: {instruction(env)}")
    return path


def instruction(env: Mapping[str, str] = os.environ) -> str:
    if sys.platform.startswith("linux") and shutil.which("apt-get", path=env.get("PATH")):
        how = f"`sudo apt-get install {PACKAGE}`"
    else:
        how = "install Chromium or Chrome"
    return f"{how}, or set {ENV}=/path/to/chromium, or run `make venv && .venv/bin/playwright install chromium`"


def installer(euid: int, apt_get: bool, sudo_without_password: bool) -> list[str] | None:
    """How to run apt-get here (the command prefix), or None when it cannot be run."""
    if not apt_get:
        return None
    if euid == 0:
        return []
    return ["sudo", "-n"] if sudo_without_password else None


def install(env: Mapping[str, str] = os.environ) -> str:
    """Find the browser or install Debian's package; BrowserMissing (one line) when neither is possible."""
    path = find(env)
    if path:
        return path
    search = env.get("PATH")
    apt_get = sys.platform.startswith("linux") and shutil.which("apt-get", path=search) is not None
    sudo = bool(apt_get and os.geteuid() != 0 and shutil.which("sudo", path=search))
    sudo_ok = sudo and subprocess.run(["sudo", "-n", "true"], capture_output=True, env=dict(env)).returncode == 0  # noqa: S607
    prefix = installer(os.geteuid(), apt_get, sudo_ok)
    if prefix is None:
        who = "" if not apt_get else " (not root, and no password-less sudo)"
        raise BrowserMissing(f"no Chromium found, and it cannot be installed here{who}: {instruction(env)}")
    # No questions asked (sudo resets the environment, so it gets the variable through env).
    quiet = "DEBIAN_FRONTEND=noninteractive"
    command = [*prefix, "env", quiet, "apt-get"] if prefix else ["apt-get"]
    run_env = {**env, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"no Chromium found: installing Debian's {PACKAGE} ({' '.join([*prefix, 'apt-get', 'install', PACKAGE])})")
    sys.stdout.flush()
    subprocess.run([*command, "update", "-qq"], env=run_env, check=False)  # noqa: S603 - a stale index may still do
    done = subprocess.run(  # noqa: S603 - dpkg's progress to /dev/null; errors still show
        [*command, "install", "-y", "-qq", PACKAGE], env=run_env, check=False, stdout=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise BrowserMissing(f"`apt-get install {PACKAGE}` failed (exit {done.returncode}): {instruction(env)}")
    path = find(env)
    if not path:
        raise BrowserMissing(f"apt-get installed {PACKAGE}, but no `{PACKAGE}` is on PATH: set {ENV}=/path/to/it")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in (["install"], ["find"]):
        print("usage: python -m local.browser install|find", file=sys.stderr)
        return 2
    try:
        path = install() if args == ["install"] else require()
    except BrowserMissing as missing:
        print(f"Chromium is needed by tests/browser and `make screenshot`: {missing}", file=sys.stderr)
        return 1
    print(f"browser: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
