#!/usr/bin/env bash
# Runs in the test VM, from the directory vm-test copied the tests into:
#   run-tests.sh [--mark EXPR] [--lessons "ID..."] [PATH...]
# pytest on PATHs with the marker expression (default: root), then each lesson's reference
# solution against the engine the VM runs as a service. The classroom VM is pure cgroup
# v2, and proving the v2 code path is the point of running here: it refuses to run on
# anything else. What is tested is the sandbox installed in the image, not a copy of the
# sources.
set -uo pipefail

mark=root lessons=""
while [ $# -gt 0 ]; do
  case "$1" in
    --mark) mark="$2"; shift 2 ;;
    --lessons) lessons="$2"; shift 2 ;;
    *) break ;;
  esac
done
cd "$(dirname "$0")/../.." || exit 2

fs="$(stat -fc %T /sys/fs/cgroup)"
echo "guest: /sys/fs/cgroup is $fs"
if [ "$fs" != cgroup2fs ]; then
  echo "guest: not pure cgroup v2 (expected cgroup2fs): refusing to run" >&2
  exit 3
fi
echo "guest: cgroup v2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "guest: kernel $(uname -r), $(sandbox version), $(nproc) CPUs"

failed=()

if [ $# -gt 0 ]; then
  python="$(dirname "$(readlink -f "$(command -v sandbox)")")/python"
  "$python" -m pytest -m "$mark" -p no:cacheprovider --junitxml=results.xml "$@" || failed+=("pytest")
fi

# The engine starts with the VM; give it the time an emulated CPU needs.
engine_ready() {
  local deadline=$((SECONDS + 180))
  until sandbox docker version >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      systemctl status --no-pager sandbox-engine.service || true
      return 1
    fi
    sleep 2
  done
}

if [ -n "$lessons" ]; then
  if ! engine_ready; then
    echo "guest: the engine does not answer: no lesson can run" >&2
    failed+=("engine")
  else
    for lesson in $lessons; do
      echo "guest: lesson $lesson: the reference solution"
      sandbox lessons --progress "$PWD/progress.json" solve "$lesson" || failed+=("lesson $lesson")
    done
  fi
fi

if [ ${#failed[@]} -gt 0 ]; then
  echo "guest: FAILED: ${failed[*]}"
  exit 1
fi
echo "guest: all passed"
