#!/usr/bin/env bash
# Runs in the chroot of the image, before provision.sh: what makes the Debian root a
# bootable Vagrant box (hostname, fstab, network, sshd, the vagrant user, grub defaults).
# The sandbox itself is provision.sh's business, so Vagrant and the image share it.
#
#   image-setup.sh [VAGRANT_PUBLIC_KEY_FILE]
set -euo pipefail

VAGRANT_KEY="${1:-}"
LABEL=sandbox-root

setup_system() {
  echo sandbox > /etc/hostname
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n' > /etc/hosts
  # By label: the disk is /dev/vda under libvirt but may be another name elsewhere.
  printf 'LABEL=%s\t/\text4\terrors=remount-ro\t0\t1\n' "$LABEL" > /etc/fstab
  # Every VM made from the image must get its own machine id, at its first boot.
  : > /etc/machine-id
  rm -f /var/lib/dbus/machine-id /var/lib/systemd/random-seed
}

setup_network() {
  mkdir -p /etc/systemd/network
  cat > /etc/systemd/network/80-dhcp.network <<'EOF'
[Match]
Name=en* eth*

[Network]
DHCP=yes
EOF
  systemctl enable systemd-networkd.service systemd-resolved.service
  # The build host's resolver means nothing in the VM: ask systemd-resolved's stub.
  ln -sf ../run/systemd/resolve/stub-resolv.conf /etc/resolv.conf
  # vm-test's guest has no route out; waiting for "online" would only delay the boot.
  systemctl mask systemd-networkd-wait-online.service
}

setup_sshd() {
  # Host keys made at build time would be shared by every VM: make them at first boot.
  rm -f /etc/ssh/ssh_host_*
  mkdir -p /etc/systemd/system/ssh.service.d
  cat > /etc/systemd/system/ssh.service.d/host-keys.conf <<'UNIT'
[Service]
# Debian's unit checks the config (sshd -t) first, which fails without keys: make them
# before that check (the empty line clears the list, so the order is ours). Ed25519 and
# ECDSA only: every current client takes them, and an RSA key takes half a minute to make
# on an emulated CPU.
ExecStartPre=
ExecStartPre=/bin/sh -c 'for t in ed25519 ecdsa; do f=/etc/ssh/ssh_host_$${t}_key; [ -f $$f ] || ssh-keygen -q -t $$t -N "" -f $$f; done'
ExecStartPre=/usr/sbin/sshd -t
UNIT
}

# Vagrant's conventions for a base box: user vagrant (password vagrant), passwordless sudo,
# and Vagrant's published insecure key, which `vagrant up` replaces with a fresh one.
setup_vagrant_user() {
  id vagrant >/dev/null 2>&1 || useradd --create-home --shell /bin/bash vagrant
  echo vagrant:vagrant | chpasswd
  echo 'vagrant ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/vagrant
  chmod 0440 /etc/sudoers.d/vagrant
  install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
  if [ -n "$VAGRANT_KEY" ]; then
    install -m 0600 -o vagrant -g vagrant "$VAGRANT_KEY" /home/vagrant/.ssh/authorized_keys
  else
    echo "image-setup: no Vagrant public key given; the box will need a password login" >&2
  fi
}

setup_grub_defaults() {
  # grub itself is installed into the disk's boot sector at the box's first boot (the build
  # host cannot see partitions); these are the settings update-grub reads then.
  mkdir -p /etc/default/grub.d
  cat > /etc/default/grub.d/50-sandbox.cfg <<'EOF'
GRUB_TIMEOUT=1
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8"
GRUB_TERMINAL="console serial"
EOF
}

setup_system
setup_network
setup_sshd
setup_vagrant_user
setup_grub_defaults
