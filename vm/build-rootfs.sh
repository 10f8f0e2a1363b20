#!/usr/bin/env bash
# Stage 1 of the image: a Debian 12 root with a kernel and every apt package the VM needs,
# made by mmdebstrap from the host's apt sources. Cached by the package list: it only
# changes when a package is added, so editing the project never repeats this minute.
# Prints the directory of the root on stdout.
set -euo pipefail
# shellcheck source=vm/lib.sh
. "$(dirname "$0")/lib.sh"

# What the image needs beyond provision.sh's packages: a kernel and a bootloader, systemd,
# sshd for Vagrant and vm-test, and the small tools a learner expects in a terminal.
IMAGE_PACKAGES=(
  linux-image-amd64 initramfs-tools zstd kmod udev systemd systemd-sysv dbus libpam-systemd
  systemd-resolved grub-pc openssh-server netbase procps less vim-tiny bash-completion
)

EATMYDATA_HOOK=/usr/share/mmdebstrap/hooks/eatmydata

mirrors() {
  if [ -n "${VM_MIRROR:-}" ]; then
    printf '%s\n' "$VM_MIRROR"
    return
  fi
  # The host's own apt sources for the suite (a local mirror, a proxy, a snapshot), as the
  # project's debian:bookworm image is made.
  "$PY" -c 'import sys
from sandbox.images._apt_sources import mirror_lines
print("\n".join(mirror_lines(sys.argv[1])))' "$SUITE"
}

main() {
  need_root "building the root"
  need_cmd mmdebstrap
  local packages mirror_list key dest tmp
  read -r -a provision_packages <<< "$("$REPO/vagrant/provision.sh" --print-packages)"
  packages="$(printf '%s\n' "${IMAGE_PACKAGES[@]}" "${provision_packages[@]}" | LC_ALL=C sort -u | paste -sd, -)"
  mirror_list="$(mirrors)"
  [ -n "$mirror_list" ] || die "no apt source for $SUITE on this host; set VM_MIRROR='deb URL $SUITE main'"
  key="$(content_hash "$0" --string "$packages" --string "$mirror_list")"
  dest="$OUT/cache/rootfs-$key"
  if [ -f "$dest/.done" ]; then
    log "base root: cached ($(basename "$dest"))"
    echo "$dest/root"
    return
  fi
  mkdir -p "$OUT/cache"
  tmp="$dest.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local args=()
  while IFS= read -r line; do args+=("$line"); done <<< "$mirror_list"
  # dpkg syncs every file it unpacks; a root that is thrown away if the build fails needs
  # none of that. mmdebstrap's eatmydata hook fetches eatmydata from the mirror itself and
  # removes it again.
  local hooks=()
  [ ! -d "$EATMYDATA_HOOK" ] || hooks+=(--hook-directory="$EATMYDATA_HOOK")
  log "base root: mmdebstrap $SUITE with $(tr -cd , <<< "$packages" | wc -c) packages (about a minute)"
  # Documentation and translations are left out: the image is smaller and builds faster.
  mmdebstrap --mode=root --variant=minbase --format=directory --quiet \
    --aptopt='APT::Install-Recommends "false"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --include="$packages" "${hooks[@]}" \
    "$SUITE" "$tmp/root" "${args[@]}" >&2
  touch "$tmp/.done"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  prune_others "$OUT/cache" rootfs "$dest"
  echo "$dest/root"
}

main "$@"
