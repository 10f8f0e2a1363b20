#!/usr/bin/env bash
# Stage 3 of the image: the Vagrant box for libvirt ($OUT/sandbox.box: box.img, a qcow2
# that boots by itself, plus metadata.json and a Vagrantfile, in one tar).
#
# The build host cannot see the partitions of a disk image, so grub goes into the boot
# sector from inside the guest: boot a copy of the image directly (kernel and initrd from
# outside), run grub-install and update-grub there, and wipe what that boot made that must
# be unique per VM (machine id, ssh host keys, the login key). A second boot, through the
# BIOS and grub alone, proves the box starts without help. Cached like the image.
set -euo pipefail
# shellcheck source=vm/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=vm/qemu.sh
. "$VM_DIR/qemu.sh"

BOX_NAME="${VM_BOX_NAME:-sandbox/classroom}"

cleanup() {
  local rc=$?
  [ -z "$VM_WORK" ] || vm_stop 60
  [ -z "${BUILD:-}" ] || rm -rf "$BUILD"
  exit "$rc"
}

install_grub() {
  log "box: installing grub from inside the guest"
  vm_ssh 'set -e
    grub-install --target=i386-pc /dev/vda
    update-grub
    # Later grub-pc upgrades reinstall to the same disk without asking.
    echo "grub-pc grub-pc/install_devices multiselect /dev/vda" | debconf-set-selections
    # What this boot made that every VM from the box must make for itself. Our login key
    # goes too, so the power-off is asked for in this same session.
    rm -f /root/.ssh/authorized_keys /etc/ssh/ssh_host_* /var/lib/systemd/random-seed
    : > /etc/machine-id
    journalctl --rotate >/dev/null 2>&1 || true
    rm -rf /var/log/journal/*
    fstrim -a >/dev/null 2>&1 || true
    # Straight to systemd: "systemctl poweroff" asks logind first, and this boot has no
    # logind or D-Bus (qemu.sh masks them), which it reports as an error.
    systemctl --no-block start poweroff.target' >&2
  vm_wait_exit 120
  VM_WORK=""
}

# Boot the box as Vagrant will: no kernel from outside, only the disk.
check_boots_alone() {
  local img="$1" work="$2"
  log "box: checking that it boots through grub on its own"
  qemu-img create -q -f qcow2 -b "$img" -F qcow2 "$work/check.qcow2"
  vm_boot_wait "$work/check-vm" "$work/check.qcow2"
  vm_ssh 'grep -q "BOOT_IMAGE=" /proc/cmdline' || die "the check boot did not come through grub"
  # What `vagrant up` does first: log in as vagrant with the insecure key, sudo without a
  # password. ssh takes the first -l and -i it is given, so these come before ours.
  local insecure
  insecure="$(vagrant_key)"
  insecure="${insecure%.pub}"
  if [ -f "$insecure" ]; then
    cp "$insecure" "$work/insecure_key"
    chmod 600 "$work/insecure_key"
    vm_ssh -i "$work/insecure_key" -l vagrant 'sudo -n true && id -nG | grep -qw sandbox' \
      || die "the box does not let Vagrant in: user vagrant, its insecure key, passwordless sudo, group sandbox"
  fi
  vm_stop 120
  VM_WORK=""
}

write_box() {
  local dir="$1" img="$2" virtual_gb
  virtual_gb="$(qemu-img info --output=json "$img" | "$PY" -c 'import json, sys
print(-(-json.load(sys.stdin)["virtual-size"] // (1 << 30)))')"
  printf '{"provider": "libvirt", "format": "qcow2", "virtual_size": %s}\n' "$virtual_gb" > "$dir/metadata.json"
  cat > "$dir/Vagrantfile" <<'EOF'
# Defaults of the sandbox classroom box; vagrant/Vagrantfile in the repository sets the rest.
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |lv|
    lv.disk_bus = "virtio"
    lv.nic_model_type = "virtio"
  end
end
EOF
}

main() {
  need_root "building the box"
  need_cmd qemu-system-x86_64 qemu-img ssh ssh-keygen tar
  local image key dest
  image="$("$VM_DIR/build-image.sh")"
  key="$(content_hash "$0" "$VM_DIR/qemu.sh" --string "image $(basename "$image")" --string "name $BOX_NAME")"
  dest="$OUT/box-$key"
  if [ ! -f "$dest/.done" ]; then
    BUILD="$OUT/box-work-$key"
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    rm -rf "$BUILD"
    mkdir -p "$BUILD/box"
    cp --sparse=always "$image/disk.qcow2" "$BUILD/work.qcow2"
    vm_boot_wait "$BUILD/vm" "$BUILD/work.qcow2" "$image/vmlinuz" "$image/initrd.img"
    install_grub
    check_boots_alone "$BUILD/work.qcow2" "$BUILD"
    log "box: compressing the disk"
    # zstd, not qcow2's default zlib: four times faster here and a little smaller. Reading
    # it needs QEMU 5.1 or later (Debian 11 and Ubuntu 22.04 have newer).
    qemu-img convert -c -O qcow2 -o compression_type=zstd "$BUILD/work.qcow2" "$BUILD/box/box.img"
    write_box "$BUILD/box" "$BUILD/box/box.img"
    tar -C "$BUILD/box" -cf "$BUILD/sandbox.box" metadata.json Vagrantfile box.img
    mkdir -p "$BUILD/out"
    mv "$BUILD/sandbox.box" "$BUILD/out/"
    touch "$BUILD/out/.done"
    rm -rf "$dest"
    mv "$BUILD/out" "$dest"
    rm -rf "$BUILD"
    BUILD=""
    prune_others "$OUT" box "$dest"
  else
    log "box: cached ($(basename "$dest"))"
  fi
  ln -sfn "$(basename "$dest")/sandbox.box" "$OUT/sandbox.box"
  log "box: $OUT/sandbox.box — add it with: vagrant box add --name $BOX_NAME $OUT/sandbox.box"
  echo "$OUT/sandbox.box"
}

main "$@"
