# Shared by the vm/ scripts (sourced, never run): paths, logging, content hashes.
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this

VM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$VM_DIR/.." && pwd)"
OUT="${VM_OUT:-$REPO/vm/out}"
PY="${VM_PYTHON:-$REPO/.venv/bin/python}"
SUITE=bookworm

log() { printf '\033[1mvm:\033[0m %s\n' "$*" >&2; }
die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "$1 needs root (mounts, chroot, device nodes)"; }

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || die "$c is missing: run 'make vm-deps'"
  done
}

# A short digest of files (their paths relative to the repo, and their contents) and of
# extra strings: the cache key of a build stage. Paths are sorted so that the order the
# caller lists them in does not matter.
content_hash() {
  local files=() strings=() f
  while [ $# -gt 0 ]; do
    case "$1" in
      --string) strings+=("$2"); shift 2 ;;
      *) files+=("$1"); shift ;;
    esac
  done
  {
    for f in "${strings[@]}"; do printf 'string %s\n' "$f"; done
    printf '%s\n' "${files[@]}" | LC_ALL=C sort -u | while read -r f; do
      [ -n "$f" ] || continue
      printf 'file %s %s\n' "${f#"$REPO"/}" "$(sha256sum < "$f" | cut -c1-64)"
    done
  } | sha256sum | cut -c1-16
}

# What the image takes from the checkout: the sources as the wheel packs them (everything
# under sandbox/ but bytecode, plus the packaging metadata) and the course.
project_files() {
  find "$REPO/sandbox" "$REPO/lessons" -type f ! -name '*.pyc' ! -path '*/__pycache__/*'
  printf '%s\n' "$REPO/pyproject.toml" "$REPO/README.md"
}

# Keep only the newest of the cached stage outputs named PREFIX-<hash> in DIR.
prune_others() {
  local dir="$1" prefix="$2" keep="$3" d
  for d in "$dir/$prefix"-*; do
    [[ "$(basename "$d")" =~ ^$prefix-[0-9a-f]{16}$ ]] || continue
    [ "$d" = "$keep" ] || { log "removing old $(basename "$d")"; rm -rf "$d"; }
  done
}

# The insecure public key every Vagrant base box carries; it ships with Vagrant, its
# private half beside it (without .pub).
vagrant_key() {
  local k
  if [ -n "${VM_VAGRANT_KEY:-}" ]; then echo "$VM_VAGRANT_KEY"; return; fi
  for k in /usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub \
           /opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub; do
    [ -f "$k" ] && { echo "$k"; return; }
  done
}
