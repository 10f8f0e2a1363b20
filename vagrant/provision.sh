#!/usr/bin/env bash
# The one provisioning script of the classroom VM: `vagrant up` runs it in the guest, and
# `make vm-image` runs it in the chroot of the offline image. Idempotent: a second run only
# does what is missing.
#
#   provision.sh [--repo DIR | --wheel FILE [--wheelhouse DIR] [--extras LIST] [--lessons DIR]]
#                [--client-bin FILE]... [--user NAME] [--role single|control|worker]
#                [--debian-image] [--offline]
#   provision.sh --print-packages      the apt packages it installs, one line
#
# --repo DIR     install from a checkout with `make install` (the synced folder in Vagrant)
# --wheel FILE   install a built wheel into /opt/sandbox (the offline image); with
#                --wheelhouse, Python dependencies come from that directory only; the
#                course (--lessons) goes to /usr/local/share/sandbox/lessons
# --client-bin   copy a client binary (the real docker CLI, kubectl) to /usr/local/bin
# --offline      never reach a package mirror: fail if an apt package is missing
# Neither --repo nor --wheel: keep the sandbox already installed (a box built by vm-image).
set -euo pipefail

# System packages: the Makefile's APT_PACKAGES (tests/vm checks that this list covers it),
# plus what the VM itself needs: make for --repo, rsync for Vagrant's synced folder, curl
# to talk to the APIs by hand.
PACKAGES=(
  python3 python3-venv python3-dev python3-seccomp gcc libc6-dev runc skopeo umoci
  busybox-static mmdebstrap iproute2 tmux docker-registry apache2-utils docker.io nftables
  make rsync curl sudo ca-certificates
)

VENV=/opt/sandbox
BIN_LINK=/usr/local/bin/sandbox
GROUP=sandbox
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

REPO="" WHEEL="" WHEELHOUSE="" EXTRAS="" LESSONS="" USER_NAME=vagrant ROLE=single
DEBIAN_IMAGE=0 OFFLINE=0
CLIENT_BINS=()

say() { printf '\033[1mprovision:\033[0m %s\n' "$*"; }
die() { printf 'provision: error: %s\n' "$*" >&2; exit 1; }

# The header comment of this file is its help.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --print-packages) echo "${PACKAGES[*]}"; exit 0 ;;
      --repo) REPO="${2:?--repo needs a directory}"; shift ;;
      --wheel) WHEEL="${2:?--wheel needs a file}"; shift ;;
      --wheelhouse) WHEELHOUSE="${2:?--wheelhouse needs a directory}"; shift ;;
      --extras) EXTRAS="${2:?--extras needs a list, e.g. test}"; shift ;;
      --lessons) LESSONS="${2:?--lessons needs a directory}"; shift ;;
      --client-bin) CLIENT_BINS+=("${2:?--client-bin needs a file}"); shift ;;
      --user) USER_NAME="${2:?--user needs a name}"; shift ;;
      --role) ROLE="${2:?--role needs single, control or worker}"; shift ;;
      --debian-image) DEBIAN_IMAGE=1 ;;
      --offline) OFFLINE=1 ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; die "unknown option $1" ;;
    esac
    shift
  done
  case "$ROLE" in single|control|worker) ;; *) die "--role must be single, control or worker, not $ROLE" ;; esac
  [ -z "$REPO" ] || [ -z "$WHEEL" ] || die "give --repo or --wheel, not both"
  [ -z "$WHEEL" ] || [ -f "$WHEEL" ] || die "no wheel at $WHEEL"
  [ -z "$WHEELHOUSE" ] || [ -d "$WHEELHOUSE" ] || die "no wheelhouse directory at $WHEELHOUSE"
  [ -z "$LESSONS" ] || [ -n "$WHEEL" ] || die "--lessons goes with --wheel (a checkout has its own)"
  [ -z "$LESSONS" ] || [ -d "$LESSONS" ] || die "no lessons directory at $LESSONS"
  [ -z "$REPO" ] || [ -f "$REPO/Makefile" ] || die "no Makefile in $REPO: is it the sandbox checkout?"
}

# True when systemd runs this system (not in the image build's chroot, where units can be
# enabled but not started).
booted() { [ -d /run/systemd/system ]; }

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "system packages: all there"
    return
  fi
  [ "$OFFLINE" = 0 ] || die "offline, but these packages are missing: ${missing[*]}"
  say "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# libseccomp's Python binding comes from Debian (python3-seccomp), as in the Makefile.
link_seccomp() {
  local venv_python="$1" module platlib
  module="$(/usr/bin/python3 -c 'import seccomp; print(seccomp.__file__)')"
  platlib="$("$venv_python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')"
  ln -sf "$module" "$platlib/"
}

install_from_wheel() {
  local spec="$WHEEL" install=("$VENV/bin/python" -m pip --disable-pip-version-check install -q --no-cache-dir)
  [ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
  [ -z "$EXTRAS" ] || spec="${WHEEL}[$EXTRAS]"
  if [ -n "$WHEELHOUSE" ]; then
    install+=(--no-index --find-links "$WHEELHOUSE")
  elif [ "$OFFLINE" = 1 ]; then
    die "offline needs --wheelhouse with the wheels of the Python dependencies"
  fi
  say "installing $(basename "$WHEEL") into $VENV"
  # A rebuilt wheel keeps its version number: reinstall the project itself every time,
  # its dependencies only when missing.
  "${install[@]}" --force-reinstall --no-deps "$WHEEL"
  "${install[@]}" "$spec"
  link_seccomp "$VENV/bin/python"
  ln -sf "$VENV/bin/sandbox" "$BIN_LINK"
  [ -z "$LESSONS" ] || install_lessons
}

# The sandbox looks for the course in lessons/ beside its package (or in SANDBOX_LESSONS,
# which sudo and services would not see): a link there to a place teachers can find.
install_lessons() {
  local share=/usr/local/share/sandbox/lessons beside
  beside="$("$VENV/bin/python" -c 'import pathlib, sandbox; print(pathlib.Path(sandbox.__file__).resolve().parent.parent / "lessons")')"
  rm -rf "$share.new"
  mkdir -p "$(dirname "$share")"
  cp -r "$LESSONS" "$share.new"
  rm -rf "$share"
  mv "$share.new" "$share"
  ln -sfn "$share" "$beside"
  say "lessons: $share ($(find "$share" -name lesson.yaml | wc -l) lessons)"
}

install_from_repo() {
  say "installing from the checkout in $REPO (make install)"
  make -C "$REPO" install
  ln -sf "$REPO/.venv/bin/sandbox" "$BIN_LINK"
}

install_project() {
  if [ -n "$WHEEL" ]; then
    install_from_wheel
  elif [ -n "$REPO" ]; then
    install_from_repo
  elif [ -x "$BIN_LINK" ]; then
    say "sandbox already installed: $(readlink -f "$BIN_LINK")"
  else
    die "sandbox is not installed: give --repo DIR or --wheel FILE"
  fi
  "$BIN_LINK" version
}

install_client_bins() {
  local bin
  for bin in "${CLIENT_BINS[@]}"; do
    [ -x "$bin" ] || die "client binary $bin is missing or not executable"
    install -m 0755 "$bin" "/usr/local/bin/$(basename "$bin")"
    say "client: /usr/local/bin/$(basename "$bin")"
  done
}

# The engine's socket is group `sandbox` (mode 0660): members use docker without sudo.
setup_group() {
  getent group "$GROUP" >/dev/null || groupadd --system "$GROUP"
  if id "$USER_NAME" >/dev/null 2>&1; then
    usermod -aG "$GROUP" "$USER_NAME"
    say "user $USER_NAME is in group $GROUP"
  else
    say "no user $USER_NAME: skipping group membership"
  fi
}

build_base_images() {
  local args=(image bootstrap --if-missing)
  [ "$DEBIAN_IMAGE" = 0 ] || args+=(--debian)
  say "base images: sandbox ${args[*]}"
  "$BIN_LINK" "${args[@]}"
}

# Enable (and, on a booted system, start) a unit only when `sandbox` has the command it
# runs: the engine and the cluster are written in parallel with this script.
enable_unit_if() {
  local unit="$1"; shift
  if ! "$@" >/dev/null 2>&1; then
    say "$unit: skipped ('${*}' does not work yet)"
    return
  fi
  if [ -f "$HERE/$unit" ] && ! cmp -s "$HERE/$unit" "/etc/systemd/system/$unit"; then
    install -m 0644 "$HERE/$unit" "/etc/systemd/system/$unit"
    ! booted || systemctl daemon-reload
  fi
  if booted; then
    systemctl enable --now "$unit"
  else
    systemctl enable "$unit"
  fi
  say "$unit: enabled"
}

setup_registry() {
  # The package enables its own service; keep it off until the engine can push and pull,
  # so the VM does not run a registry nothing uses.
  if "$BIN_LINK" docker push --help >/dev/null 2>&1; then
    enable_unit_if docker-registry.service true
  else
    say "registry: skipped (the engine has no registry support yet)"
    if systemctl is-enabled --quiet docker-registry.service 2>/dev/null; then
      if booted; then systemctl disable --now docker-registry.service; else systemctl disable docker-registry.service; fi
    fi
  fi
}

# docker.io is there for the tests that compare the sandbox with a real dockerd, which
# they start themselves. Its packaged daemon must not run in the classroom: its socket is
# where the docker CLI goes when DOCKER_HOST is not set.
disable_real_docker() {
  local unit
  for unit in docker.socket docker.service containerd.service; do
    systemctl is-enabled --quiet "$unit" 2>/dev/null || continue
    if booted; then systemctl disable --now "$unit"; else systemctl disable "$unit"; fi
    say "$unit: disabled (the sandbox engine serves the docker CLI here)"
  done
}

setup_services() {
  disable_real_docker
  enable_unit_if sandbox-engine.service "$BIN_LINK" engine --help
  # The cluster's units join here with the multi-machine setup, by role:
  #   control: enable_unit_if sandbox-cluster.service "$BIN_LINK" cluster --help
  #   worker:  enable_unit_if sandbox-node.service "$BIN_LINK" node --help
  mkdir -p /etc/sandbox
  echo "$ROLE" > /etc/sandbox/role
}

greeting() {
  local text
  text="$(cat <<'EOF'
The sandbox is ready. Start with:
  sandbox                    the lessons (or `sandbox --help` for every command)
  sandbox playground         a shell in a fresh busybox container
  eval "$(sandbox env)"      point the real docker CLI at the sandbox engine
Log out and in once so that your user's membership of group `sandbox` takes effect.
EOF
)"
  mkdir -p /etc/motd.d
  printf '%s\n' "$text" > /etc/motd.d/50-sandbox
  echo
  printf '%s\n' "$text"
}

main() {
  parse_args "$@"
  [ "$(id -u)" = 0 ] || die "run me as root"
  install_packages
  install_project
  install_client_bins
  setup_group
  build_base_images
  setup_registry
  setup_services
  greeting
}

main "$@"
