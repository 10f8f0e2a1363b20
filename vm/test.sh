#!/usr/bin/env bash
# make vm-test: boot the classroom image under QEMU and run the root integration tests in
# it, on pure cgroup v2. The image is built first if its inputs changed (vm/build-image.sh
# caches it). The VM boots from a throwaway overlay, so the image stays as built; it is
# always powered off and the overlay removed, also after a failure or Ctrl-C.
#
# Environment: VM_TEST_SELECTION (pytest paths; default: the runtime's and storage's
# tests, and the engine's driven by the real docker CLI), VM_TEST_MARK (marker expression,
# default "root"), VM_TEST_LESSONS (lessons whose reference solution runs against the
# VM's engine service, default hello-container), VM_TEST_FILES (what is copied to the
# guest). The logs, the JUnit XML and the console are left in $OUT/last-test/.
set -euo pipefail
# shellcheck source=vm/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=vm/qemu.sh
. "$VM_DIR/qemu.sh"

SELECTION="${VM_TEST_SELECTION:-tests/runtime tests/storage tests/engine/test_acceptance_cli.py}"
MARK="${VM_TEST_MARK:-root}"
LESSONS="${VM_TEST_LESSONS-hello-container}"
FILES="${VM_TEST_FILES:-tests bench lessons pyproject.toml vm/guest/run-tests.sh}"
RESULTS="$OUT/last-test"

RUNNER=""

cleanup() {
  local rc=$?
  [ -z "$RUNNER" ] || kill "$RUNNER" 2>/dev/null || true
  if [ -n "$VM_WORK" ]; then
    vm_stop 60
    [ ! -f "$VM_WORK/console.log" ] || cp "$VM_WORK/console.log" "$RESULTS/console.log"
    rm -rf "$VM_WORK"
  fi
  exit "$rc"
}

main() {
  need_root "vm-test (the image build mounts and chroots)"
  need_cmd qemu-system-x86_64 qemu-img ssh ssh-keygen
  local t0=$SECONDS image t_built t_booted t_tested rc selection files
  image="$("$VM_DIR/build-image.sh")"
  t_built=$SECONDS
  rm -rf "$RESULTS"
  mkdir -p "$RESULTS"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  local work
  work="$(mktemp -d "$OUT/run-XXXXXX")"
  qemu-img create -q -f qcow2 -b "$image/disk.qcow2" -F qcow2 "$work/overlay.qcow2"
  read -r -a files <<< "$FILES"
  local try
  for ((try = 1; ; try++)); do
    vm_boot_wait "$work" "$work/overlay.qcow2" "$image/vmlinuz" "$image/initrd.img"
    t_booted=$SECONDS
    log "guest is up after $((t_booted - t_built))s; copying the tests"
    vm_push "${files[@]}" && break
    # The emulated guest's hang (see vm_boot_wait) also comes just after a boot: CI saw
    # both vCPUs in a soft lockup while the tests were being copied. Only that, and only
    # before any test ran, earns another boot; any other failure ends the run.
    if [ "$try" -ge "$VM_BOOT_TRIES" ] || ! grep -q "soft lockup" "$VM_WORK/console.log"; then
      die "could not copy the tests to the guest (its console: $VM_WORK/console.log)"
    fi
    log "the guest hung (a soft lockup) before the tests began; booting a fresh copy"
    mv "$VM_WORK/console.log" "$VM_WORK/console-stuck-push-$try.log"
    vm_kill
    # A fresh overlay: the first boot's changes (its ssh key among them) would not be
    # made again on the same disk, and the new boot could not be reached.
    rm -f "$work/overlay.qcow2"
    qemu-img create -q -f qcow2 -b "$image/disk.qcow2" -F qcow2 "$work/overlay.qcow2"
  done
  read -r -a selection <<< "$SELECTION"
  log "running: pytest -m '$MARK' ${selection[*]}; lessons: ${LESSONS:-none}"
  # In the background, and waited for: bash runs a trap only once its foreground command
  # ends, and a stop signal must not wait for the whole test run.
  (vm_ssh /root/work/vm/guest/run-tests.sh --mark "'$MARK'" --lessons "'$LESSONS'" "${selection[@]}" 2>&1 \
    | tee "$RESULTS/test.log") &
  RUNNER=$!
  rc=0
  wait "$RUNNER" || rc=$?
  RUNNER=""
  t_tested=$SECONDS
  vm_ssh cat /root/work/results.xml > "$RESULTS/results.xml" 2>/dev/null || rm -f "$RESULTS/results.xml"
  local verdict=PASS
  [ "$rc" = 0 ] || verdict="FAIL (exit $rc)"
  {
    echo "vm-test: $verdict"
    echo "vm-test: image $(basename "$image") ready in $((t_built - t0))s, boot $((t_booted - t_built))s," \
         "tests $((t_tested - t_booted))s, total $((t_tested - t0))s (plus power-off)"
    echo "vm-test: logs in $RESULTS"
  } | tee "$RESULTS/summary"
  return "$rc"
}

main "$@"
