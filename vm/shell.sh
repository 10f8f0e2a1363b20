#!/usr/bin/env bash
# make vm-shell: boot the classroom image (as vm-test does, from a throwaway overlay, with
# the tests copied to /root/work) and open a root shell in it; or run one command:
#   vm/shell.sh [COMMAND...]
# The VM is powered off and its overlay removed when the shell or command ends.
set -euo pipefail
# shellcheck source=vm/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=vm/qemu.sh
. "$VM_DIR/qemu.sh"

FILES="${VM_TEST_FILES:-tests bench lessons pyproject.toml vm/guest/run-tests.sh}"

cleanup() {
  local rc=$?
  [ -z "$VM_WORK" ] || { vm_stop 60; rm -rf "$VM_WORK"; }
  exit "$rc"
}

main() {
  need_root "vm-shell (the image build mounts and chroots)"
  need_cmd qemu-system-x86_64 qemu-img ssh ssh-keygen
  local image work files
  image="$("$VM_DIR/build-image.sh")"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  work="$(mktemp -d "$OUT/run-XXXXXX")"
  qemu-img create -q -f qcow2 -b "$image/disk.qcow2" -F qcow2 "$work/overlay.qcow2"
  vm_boot_wait "$work" "$work/overlay.qcow2" "$image/vmlinuz" "$image/initrd.img"
  read -r -a files <<< "$FILES"
  vm_push "${files[@]}"
  if [ $# -gt 0 ]; then
    vm_ssh "cd /root/work && $*"
  else
    log "root shell in the VM (the tests are in /root/work); exit to power it off"
    vm_ssh -t 'cd /root/work && exec bash -l'
  fi
}

main "$@"
