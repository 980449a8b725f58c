#!/usr/bin/env bash
# The README's quick start as a new user meets it: a throwaway clone of HEAD on a machine without Chromium.
#
#   scripts/fresh_clone.sh explain   `make test` as a user who cannot install (not root, no sudo): it must stop
#                                    before running anything, with one line naming what to run, exit non-zero.
#                                    Offline, a few seconds; tests/docs/test_fresh_clone.py runs it.
#   scripts/fresh_clone.sh install   `make run` (time to its first answer), then `make test`, as root: it must
#                                    install Debian's chromium itself and pass. Real apt-get and pip (network or
#                                    warm caches), minutes; the apt-get writes land in a throwaway overlay.
#
# Linux only, as root: the browser is hidden in a private mount namespace (`unshare --mount`), so nothing
# outside this script sees a change. `install` also overlays /usr, /etc and /var with throwaway layers and
# removes the chromium package inside them, so apt-get really installs it. KEEP=1 keeps the clone.
set -euo pipefail
mode=${1:-}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$mode" in explain | install) ;; *) echo "usage: $0 explain|install" >&2; exit 2 ;; esac
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
  echo "$0: needs root and unshare (util-linux) to hide the browser in a private mount namespace" >&2
  exit 2
fi

tmp=$(mktemp -d /tmp/fresh-clone-XXXXXX)
cleanup() { [ -n "${KEEP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"; }
trap cleanup EXIT
git clone -q --shared "$root" "$tmp/clone"
echo "fresh clone of $(git -C "$root" rev-parse --short HEAD) in $tmp/clone; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Inside the namespace: every chromium on PATH hidden behind an empty, non-executable file; Playwright's
# download folder and CHROMIUM pointed at nothing. A new user's environment otherwise.
hide='
  : > "$TMP/hidden"
  for found in $(type -ap chromium chromium-browser 2>/dev/null); do mount --bind "$TMP/hidden" "$found"; done
  mkdir -p "$TMP/no-browsers"
  export PLAYWRIGHT_BROWSERS_PATH="$TMP/no-browsers"
  unset CHROMIUM MAKELEVEL MAKEFLAGS MFLAGS  # as in a new user shell, not inside a make recipe
  for d in ${PATH//:/ }; do
    if [ -x "$d/chromium" ] || [ -x "$d/chromium-browser" ]; then echo "a chromium is still visible in $d" >&2; exit 3; fi
  done
'

if [ "$mode" = explain ]; then
  started=$(date +%s%N)
  set +e
  # Not root, no sudo: a user namespace where this process is uid 1000.
  TMP=$tmp unshare --mount --propagation private bash -c "$hide"'
    cd "$TMP/clone" && unshare --user --map-user=1000 --map-group=1000 make test' >"$tmp/out" 2>"$tmp/err"
  code=$?
  set -e
  seconds=$(( ($(date +%s%N) - started) / 10000000 ))
  seconds="$((seconds / 100)).$(printf %02d $((seconds % 100)))"
  echo "--- make test, not root, no sudo, no browser: exit $code after ${seconds} s; stderr:"
  cat "$tmp/err"
  problems=()
  [ "$code" -ne 0 ] || problems+=("exit status 0")
  [ "$(grep -Ecv '^make(\[[0-9]+\])?: \*\*\*' "$tmp/err")" -eq 1 ] || problems+=("not exactly one line of explanation on stderr")
  grep -q "sudo apt-get install chromium" "$tmp/err" || problems+=("the line does not name the command to run")
  ! grep -q Traceback "$tmp/err" "$tmp/out" || problems+=("a traceback")
  [ ! -e "$tmp/clone/.venv" ] || problems+=(".venv was created: something ran before the browser check")
  for p in "${problems[@]}"; do echo "FAILED: $p"; done
  [ ${#problems[@]} -eq 0 ] && echo "explain: passed"
  exit ${#problems[@]}
fi

# install: throwaway layers over /usr, /etc and /var; inside them chromium is removed, then `make run` and
# `make test` run as root, as on a CI runner or a fresh VM.
for d in usr etc var; do mkdir -p "$tmp/layers/$d/up" "$tmp/layers/$d/work"; done
port=${PORT:-18780}
TMP=$tmp PORT=$port unshare --mount --propagation private bash -c '
  set -euo pipefail
  for d in usr etc var; do
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$TMP/layers/$d/up,workdir=$TMP/layers/$d/work" "/$d"
  done
  DEBIAN_FRONTEND=noninteractive dpkg --remove --force-depends chromium >/dev/null
  '"$hide"'
  cd "$TMP/clone"
  since() { local cs=$(( ($(date +%s%N) - $1) / 10000000 )); echo "$((cs / 100)).$(printf %02d $((cs % 100)))"; }
  echo "--- make run (first run: installs its virtualenv), until GET /health answers"
  started=$(date +%s%N)
  make run PORT=$PORT CONSOLE_PORT=$((PORT + 1)) >"$TMP/run.log" 2>&1 &
  run=$!
  until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do
    kill -0 $run 2>/dev/null || { cat "$TMP/run.log"; echo "make run exited"; exit 1; }
    sleep 0.2
  done
  echo "make run: first answer after $(since "$started") s"
  kill -TERM $(ps -o pid= --ppid $run) 2>/dev/null || true  # the server (make'"'"'s child): it stops cleanly
  wait $run || true
  echo "--- make test (as root, no browser: installs Debian'"'"'s chromium)"
  started=$(date +%s%N)
  make test >"$TMP/test.log" 2>&1 && code=0 || code=$?
  seconds=$(since "$started")
  grep -E "^(browser:|no Chromium found)" "$TMP/test.log" || true
  tail -5 "$TMP/test.log"
  echo "make test: exit $code after $seconds s; load average $(cut -d" " -f1-3 /proc/loadavg)"
  exit $code
'
