#!/usr/bin/env bash
# Stage 2 of the image: the base root (stage 1) with the sandbox provisioned by
# vagrant/provision.sh from a locally built wheel, written to a partitioned qcow2 disk,
# with the kernel and initrd beside it for direct boot.
#
# Cached by a hash of everything that goes in (the project's sources, the scripts, the
# client binaries, the base root): a second run with nothing changed does nothing and needs
# no network. Prints the output directory on stdout; $OUT/image points at it too.
#
# Environment: VM_EXTRAS (pip extras installed in the image, default "test": vm-test runs
# pytest in the guest), VM_DISK_SIZE (default 8G, sparse), VM_CLIENT_BINS (client
# binaries to copy in; default: docker and kubectl if the host has them),
# VM_DEBIAN_IMAGE=1 (also build debian:bookworm in the image; needs the mirror).
set -euo pipefail
# shellcheck source=vm/lib.sh
. "$(dirname "$0")/lib.sh"

EXTRAS="${VM_EXTRAS-test}"
DISK_SIZE="${VM_DISK_SIZE:-8G}"
PART_OFFSET=$((1024 * 1024))
LABEL=sandbox-root

client_bins() {
  local name path
  if [ -n "${VM_CLIENT_BINS+set}" ]; then
    tr ' ' '\n' <<< "$VM_CLIENT_BINS"
    return
  fi
  for name in docker kubectl; do
    path="$(command -v "$name" || true)"
    [ -z "$path" ] || readlink -f "$path"
  done
}

# The wheel of the project and of its dependencies, built from a copy of the sources so
# the checkout gets no build/ or egg-info directories.
build_wheels() {
  local dest="$1" src="$2"
  rm -rf "$src" "$dest"
  mkdir -p "$src" "$dest"
  cp -a "$REPO/sandbox" "$REPO/pyproject.toml" "$REPO/README.md" "$src/"
  find "$src" -name __pycache__ -prune -exec rm -rf {} +
  local spec="$src"
  [ -z "$EXTRAS" ] || spec="${src}[$EXTRAS]"
  log "wheels: the project and its dependencies"
  # Quiet unless it fails: pip and setuptools warn about much that does not matter here.
  if ! "$PY" -m pip wheel -q --disable-pip-version-check --wheel-dir "$dest" "$spec" > "$dest.log" 2>&1; then
    cat "$dest.log" >&2
    die "building the wheels failed (log above)"
  fi
  rm -rf "$src"
}

BUILD=""
MOUNTS=()
mount_at() {  # mount_at TARGET MOUNT-ARGS...: remembered for unmount_all
  local target="$1"; shift
  mount "$@" "$target"
  MOUNTS+=("$target")
}
unmount_all() {
  local i
  for ((i=${#MOUNTS[@]}-1; i>=0; i--)); do
    umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}"
  done
  MOUNTS=()
}

remove_stale_builds() {
  local d m
  for d in "$OUT"/build-*; do
    [ -d "$d" ] || continue
    # Mount points below it, deepest first, then the directory.
    awk '{print $2}' /proc/self/mounts | grep "^$d/" | sort -r | while read -r m; do umount -l "$m"; done
    log "removing the leftovers of an interrupted build: $(basename "$d")"
    rm -rf "$d"
  done
}

# Provision inside the root. The base stays untouched: an overlay takes the writes, and
# tmpfs on /tmp and /run keeps the staging files out of the image.
provision_root() {
  local base="$1" work="$2" wheels="$3"
  local root="$work/root" bins=() b key
  mkdir -p "$work/upper" "$work/work" "$root"
  mount_at "$root" -t overlay overlay -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/work"
  mount_at "$root/proc" -t proc proc
  mount_at "$root/sys" -t sysfs sysfs
  mount_at "$root/dev" --bind /dev
  mount_at "$root/tmp" -t tmpfs tmpfs
  mount_at "$root/run" -t tmpfs tmpfs
  mkdir -p "$root/tmp/stage/bin"
  cp -a "$REPO/vagrant" "$root/tmp/stage/provision"
  cp -a "$VM_DIR/guest/image-setup.sh" "$root/tmp/stage/"
  cp -a "$wheels" "$root/tmp/stage/wheels"
  cp -a "$REPO/lessons" "$root/tmp/stage/lessons"
  find "$root/tmp/stage/lessons" -name __pycache__ -prune -exec rm -rf {} +
  key="$(vagrant_key)"
  [ -z "$key" ] || cp "$key" "$root/tmp/stage/vagrant.pub"
  [ -n "$key" ] || log "no Vagrant insecure key found: the box will not accept 'vagrant ssh' (make vm-deps)"
  while IFS= read -r b; do
    [ -n "$b" ] || continue
    cp "$b" "$root/tmp/stage/bin/"
    bins+=(--client-bin "/tmp/stage/bin/$(basename "$b")")
  done < <(client_bins)
  local wheel
  wheel="$(cd "$wheels" && ls sandbox-*.whl)"
  local args=(--wheel "/tmp/stage/wheels/$wheel" --wheelhouse /tmp/stage/wheels --lessons /tmp/stage/lessons
              "${bins[@]}")
  [ -z "$EXTRAS" ] || args+=(--extras "$EXTRAS")
  # debian:bookworm comes from the mirror; without it the chroot never needs a network.
  if [ "${VM_DEBIAN_IMAGE:-0}" = 1 ]; then args+=(--debian-image); else args+=(--offline); fi
  local env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
             LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}")
  log "chroot: image-setup.sh"
  chroot "$root" "${env[@]}" /tmp/stage/image-setup.sh "${key:+/tmp/stage/vagrant.pub}" >&2
  log "chroot: provision.sh ${args[*]}"
  chroot "$root" "${env[@]}" /tmp/stage/provision/provision.sh "${args[@]}" >&2
  chroot "$root" "${env[@]}" apt-get clean >&2
  direct_boot_initrd "$root" "${env[@]}"
}

# The image's own initrd carries most modules, so the box boots on any virtual hardware.
# Direct boots (vm-test) know theirs: virtio and ext4. A small initrd saves the emulated
# CPU seconds of unpacking and probing the rest.
direct_boot_initrd() {
  local root="$1" conf="$1/tmp/stage/initramfs-direct" kver; shift
  kver="$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n1)"
  cp -a "$root/etc/initramfs-tools" "$conf"
  sed -i 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
  printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic >> "$conf/modules"
  log "chroot: a small initrd for direct boots"
  chroot "$root" "$@" mkinitramfs -d /tmp/stage/initramfs-direct -o /tmp/stage/initrd-direct.img "$kver" >&2
}

# A disk with one partition at 1 MiB. The filesystem is written straight into the disk
# file at that offset (mke2fs -d copies the tree), so nothing needs a loop device or the
# host kernel's partition support.
make_disk() {
  local root="$1" dest="$2" raw="$2/disk.raw" bytes
  bytes="$(numfmt --from=iec "$DISK_SIZE")"
  rm -f "$raw"
  truncate -s "$bytes" "$raw"
  printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk --quiet "$raw"
  log "disk: ext4 at offset $PART_OFFSET, $DISK_SIZE disk"
  mke2fs -q -F -t ext4 -L "$LABEL" -d "$root" -E "offset=$PART_OFFSET" "$raw" \
    "$(( (bytes - PART_OFFSET) / 1024 ))k"
  qemu-img convert -f raw -O qcow2 "$raw" "$dest/disk.qcow2"
  rm -f "$raw"
}

copy_boot_files() {
  local root="$1" dest="$2" kernel
  kernel="$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sort -V | tail -n1)"
  [ -n "$kernel" ] || die "no kernel in the image's /boot"
  cp "$root/boot/$kernel" "$dest/vmlinuz"
  cp "$root/tmp/stage/initrd-direct.img" "$dest/initrd.img"
  cat > "$dest/image.env" <<EOF
KERNEL_VERSION=${kernel#vmlinuz-}
ROOT_DEVICE=/dev/vda1
SANDBOX_VERSION=$(chroot "$root" /usr/local/bin/sandbox version | awk '{print $2}')
EOF
}

main() {
  need_root "building the image"
  need_cmd mke2fs sfdisk qemu-img numfmt
  [ -x "$PY" ] || die "no Python at $PY: run 'make install' first"
  local base key dest bin_files=() sources=()
  base="$(VM_PYTHON="$PY" "$VM_DIR/build-rootfs.sh")"
  while IFS= read -r b; do [ -z "$b" ] || bin_files+=("$b"); done < <(client_bins)
  mapfile -t sources < <(project_files)
  key="$(content_hash "$0" "$VM_DIR/lib.sh" "$VM_DIR/guest/image-setup.sh" "$REPO"/vagrant/provision.sh \
           "$REPO"/vagrant/*.service "${bin_files[@]}" "${sources[@]}" \
           --string "base $base" --string "extras $EXTRAS" --string "size $DISK_SIZE" \
           --string "debian ${VM_DEBIAN_IMAGE:-0}" --string "key $(vagrant_key)")"
  dest="$OUT/image-$key"
  # One build at a time (vm-test and vm-shell may start together); a build that was
  # killed leaves its directory behind, and the next build removes it.
  mkdir -p "$OUT"
  exec 9> "$OUT/.build.lock"
  flock 9
  remove_stale_builds
  if [ -f "$dest/.done" ]; then
    log "image: cached ($(basename "$dest"))"
  else
    BUILD="$OUT/build-$key"
    trap 'unmount_all; rm -rf "$BUILD"' EXIT
    rm -rf "$BUILD"
    mkdir -p "$BUILD/out"
    build_wheels "$BUILD/wheels" "$BUILD/src"
    provision_root "$base" "$BUILD" "$BUILD/wheels"
    copy_boot_files "$BUILD/root" "$BUILD/out"
    # Unmount the pseudo filesystems before copying the tree, or /proc would be copied.
    local overlay="${MOUNTS[0]}"
    umount "$BUILD/root/run" "$BUILD/root/tmp" "$BUILD/root/dev" "$BUILD/root/sys" "$BUILD/root/proc"
    MOUNTS=("$overlay")
    make_disk "$BUILD/root" "$BUILD/out"
    unmount_all
    touch "$BUILD/out/.done"
    rm -rf "$dest"
    mv "$BUILD/out" "$dest"
    rm -rf "$BUILD"
    trap - EXIT
    prune_others "$OUT" image "$dest"
  fi
  ln -sfn "$(basename "$dest")" "$OUT/image"
  echo "$dest"
}

main "$@"
