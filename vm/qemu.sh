# Booting the image under QEMU and talking to it over SSH (sourced, never run).
# shellcheck shell=bash
#
# The guest's only link is QEMU's user-mode network in restricted mode: it cannot reach the
# host or anything beyond, and the host reaches its sshd through one port forwarded on
# 127.0.0.1. Logins use a key made for this boot, handed to the guest as a systemd
# credential (systemd-tmpfiles writes it to root's authorized_keys), so the image itself
# carries no key of ours.
#
# Software emulation (TCG): the host's KVM cannot run a stock Debian kernel. The default
# CPU model is qemu64 (without AMD-V, so the guest loads no KVM module), not max: with
# max, glibc and the kernel pick AVX2 code paths that TCG emulates slowly (Python starts
# about twice as fast on qemu64).

VM_MEMORY="${VM_MEMORY:-2048}"
VM_CPUS="${VM_CPUS:-2}"
VM_CPU_MODEL="${VM_CPU_MODEL:-qemu64,-svm}"
VM_SSH_TIMEOUT="${VM_SSH_TIMEOUT:-300}"
VM_BOOT_TRIES="${VM_BOOT_TRIES:-2}"

VM_WORK="" VM_PORT="" VM_KEY=""

# A port on 127.0.0.1 nobody listens on now. Another process could take it before QEMU
# does; QEMU then fails to start and says so.
free_port() {
  "$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

vm_pid() { cat "$VM_WORK/qemu.pid" 2>/dev/null || true; }

# Alive, and still our QEMU: a pid file can outlive its process and the pid be reused.
vm_running() {
  local pid
  pid="$(vm_pid)"
  [ -n "$pid" ] && grep -q '^qemu' "/proc/$pid/comm" 2>/dev/null
}

# vm_boot WORKDIR DISK [KERNEL INITRD]: start QEMU in the background. With a kernel and an
# initrd it boots them directly (no bootloader needed); without, the disk's own grub.
vm_boot() {
  VM_WORK="$1"
  local disk="$2" kernel="${3:-}" initrd="${4:-}"
  mkdir -p "$VM_WORK"
  VM_KEY="$VM_WORK/id_ed25519"
  rm -f "$VM_KEY" "$VM_KEY.pub"
  ssh-keygen -q -t ed25519 -N '' -C sandbox-vm -f "$VM_KEY"
  VM_PORT="$(free_port)"
  local cmd=(
    # -nodefaults: no VGA, floppy, CD-ROM or parallel port, whose drivers the guest would
    # spend emulated seconds probing.
    qemu-system-x86_64 -name sandbox-vm -nodefaults
    -accel "tcg,thread=multi" -cpu "$VM_CPU_MODEL" -smp "$VM_CPUS" -m "$VM_MEMORY"
    -drive "file=$disk,if=virtio,format=qcow2,cache=unsafe,discard=unmap"
    -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$VM_PORT-:22"
    -device "virtio-net-pci,netdev=net0"
    -device virtio-rng-pci
    -smbios "type=11,value=io.systemd.credential:ssh.authorized_keys.root=$(cat "$VM_KEY.pub")"
    -display none -monitor none -serial "file:$VM_WORK/console.log"
    -no-reboot -pidfile "$VM_WORK/qemu.pid" -daemonize
  )
  if [ -n "$kernel" ]; then
    # The serial console is the boot log: no getty on it, and only errors, since every
    # character costs emulated port writes. mitigations=off because this throwaway VM
    # runs only our tests, and emulated page-table isolation is slow. Services a test run
    # has no use for are masked for this boot only.
    # Without logind and dbus, ssh logins skip the session bookkeeping (pam_systemd is
    # optional in Debian's PAM stack) and the per-user service manager.
    local masks="" unit
    for unit in serial-getty@ttyS0.service getty@tty1.service systemd-resolved.service \
                systemd-logind.service user@0.service dbus.service dbus.socket \
                apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
                fstrim.timer dpkg-db-backup.timer docker-registry.service; do
      masks+=" systemd.mask=$unit"
    done
    cmd+=(-kernel "$kernel" -initrd "$initrd"
          -append "root=/dev/vda1 rw console=ttyS0 quiet loglevel=3 systemd.show_status=error mitigations=off$masks")
  fi
  log "boot: QEMU (tcg), ssh on 127.0.0.1:$VM_PORT, console in $VM_WORK/console.log"
  "${cmd[@]}"
}

# vm_ssh [SSH-OPTION...] [COMMAND...]: as root with this boot's key. Leading words that
# start with - are ssh's own (-t, or -i KEY -l USER to log in as someone else).
vm_ssh() {
  local opts=()
  while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do
    case "$1" in -i|-l) opts+=("$1" "$2"); shift 2 ;; *) opts+=("$1"); shift ;; esac
  done
  ssh -q -i "$VM_KEY" -p "$VM_PORT" -o BatchMode=yes -o IdentitiesOnly=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=8 \
    "${opts[@]}" -l root 127.0.0.1 "$@"
}

# vm_push PATH...: copy these paths of the repository (those that exist) to /root/work in
# the guest, over the ssh connection: the guest needs no network of its own.
vm_push() {
  local files=() f
  for f in "$@"; do [ -e "$REPO/$f" ] && files+=("$f"); done
  tar -C "$REPO" --exclude=__pycache__ -c "${files[@]}" \
    | vm_ssh 'rm -rf /root/work && mkdir -p /root/work && tar -x -C /root/work'
}

# Poll until sshd answers with our key (0), the guest is stuck (1: the kernel reports a
# soft lockup, or the time is up), or QEMU is gone (2).
vm_wait_ssh() {
  local deadline=$((SECONDS + VM_SSH_TIMEOUT))
  while ! vm_ssh true 2>/dev/null; do
    if ! vm_running; then
      tail -n 30 "$VM_WORK/console.log" >&2 || true
      log "QEMU exited before the guest's sshd answered (console above)"
      return 2
    fi
    if grep -q "soft lockup" "$VM_WORK/console.log" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$VM_WORK/console.log" >&2 || true
      log "the guest is stuck: no ssh after $((SECONDS + VM_SSH_TIMEOUT - deadline))s (console above)"
      return 1
    fi
    sleep 2
  done
}

# vm_boot_wait WORKDIR DISK [KERNEL INITRD]: vm_boot, then wait for ssh. Now and then an
# emulated SMP boot hangs in the kernel (a soft lockup, seen about once in ten boots on
# a busy host); a hung boot is ended and started again, VM_BOOT_TRIES times in all.
vm_boot_wait() {
  local try rc
  for ((try = 1; try <= VM_BOOT_TRIES; try++)); do
    vm_boot "$@"
    rc=0
    vm_wait_ssh || rc=$?
    [ "$rc" != 0 ] || return 0
    [ "$rc" = 1 ] || die "QEMU failed (console above)"
    mv "$VM_WORK/console.log" "$VM_WORK/console-stuck-$try.log"
    vm_kill
  done
  die "the guest did not boot in $VM_BOOT_TRIES tries"
}

vm_kill() {
  local pid deadline
  pid="$(vm_pid)"
  vm_running || return 0
  kill "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while vm_running && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
  ! vm_running || kill -9 "$pid" 2>/dev/null || true
}

# Ask the guest to power off, then vm_wait_exit.
vm_stop() {
  vm_running || return 0
  vm_ssh 'systemctl poweroff' >/dev/null 2>&1 || true
  vm_wait_exit "${1:-60}"
}

# Wait for QEMU to end after the guest powered off; past the timeout, end it by its pid.
vm_wait_exit() {
  local timeout="$1" deadline
  deadline=$((SECONDS + timeout))
  while vm_running && [ "$SECONDS" -lt "$deadline" ]; do sleep 1; done
  if vm_running; then
    log "the guest did not power off within ${timeout}s: ending QEMU (pid $(vm_pid))"
    vm_kill
  fi
}
