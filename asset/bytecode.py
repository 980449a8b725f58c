"""Bytecode for the function's asset, compiled by the runtime's Python version.

/var/task is read-only in Lambda, so without bytecode in the asset every cold start compiles service/
again (~19 ms of CPU on 3.13). ``compileall --invalidation-mode unchecked-hash`` writes
``__pycache__/<module>.cpython-313.pyc`` files that Python loads without checking the source (the asset
is immutable, so there is nothing to check), and that are identical from one synth to the next (no
timestamps; file names as Lambda sees them, under /var/task), so the asset hash stays stable.

Bytecode is per minor version: another interpreter ignores it (other cache tag) and compiles from
source, which is the behaviour without this step. The compiling interpreter must therefore be the
runtime's version, whichever Python runs the synth: this one when it matches, else python3.<minor>
from PATH or pyenv.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Where Lambda unpacks the asset: the file names compiled into the bytecode (tracebacks read them).
TASK_ROOT = "/var/task"


def find_interpreter(version: str) -> str | None:
    """A runnable interpreter of ``version`` ("3.13"): this one, python3.13 on PATH, or a pyenv install
    (pyenv's shim exists but fails when that version is not active)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    installed = sorted(glob.glob(f"{root}/versions/{version}*/bin/python{version}"))
    candidates = [shutil.which(f"python{version}"), *installed]
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603 - a local interpreter, fixed arguments
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def compile_package(package: Path, version: str) -> bool:
    """Compile every module under ``package`` (the asset's ``service`` folder) for ``version``.

    False, with nothing written, when no interpreter of that version is found: the function then
    compiles from source at each cold start, as before.
    """
    interpreter = find_interpreter(version)
    if interpreter is None:
        return False
    subprocess.run(  # noqa: S603 - a local interpreter, fixed arguments
        [
            interpreter,
            "-m",
            "compileall",
            "-q",
            "--invalidation-mode",
            "unchecked-hash",
            "-d",
            f"{TASK_ROOT}/{package.name}",
            str(package),
        ],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )
    return True
