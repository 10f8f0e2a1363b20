# The classroom VM (docs/vm.md), included by the Makefile; run as root like the rest.
#   make vm-image      the offline image (vm/out/image/disk.qcow2) and the Vagrant box
#                      for libvirt made from it (vm/out/sandbox.box)
#   make vm-test       boot the image under QEMU and run the root tests and a lesson's
#                      reference solution in it, on pure cgroup v2; VM_TEST_SELECTION,
#                      VM_TEST_MARK and VM_TEST_LESSONS choose them
#   make vm-shell      the same VM, with a root shell in it
#   make vm-validate   vagrant validate, for one VM and for the multi-machine setup
# Builds are cached in vm/out by a hash of their inputs: a second run with nothing
# changed boots at once and needs no network.

VM_ROOT := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
VM_APT_PACKAGES := mmdebstrap qemu-system-x86 qemu-utils fdisk e2fsprogs openssh-client \
                   vagrant vagrant-libvirt
# The runtime and storage root tests, and the engine driven by the real docker CLI (the
# whole of tests/engine takes about 18 minutes on the emulated CPU).
VM_TEST_SELECTION ?= tests/runtime tests/storage tests/engine/test_acceptance_cli.py
VM_TEST_MARK ?= root
VM_TEST_LESSONS ?= hello-container

.PHONY: vm-deps vm-image vm-test vm-shell vm-validate vm-clean

vm-deps:
	@missing=""; for p in $(VM_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

vm-image: vm-deps install
	$(VM_ROOT)/vm/build-box.sh

vm-test: vm-deps install
	VM_TEST_SELECTION="$(VM_TEST_SELECTION)" VM_TEST_MARK="$(VM_TEST_MARK)" \
	  VM_TEST_LESSONS="$(VM_TEST_LESSONS)" $(VM_ROOT)/vm/test.sh

vm-shell: vm-deps install
	$(VM_ROOT)/vm/shell.sh

vm-validate: vm-deps
	cd $(VM_ROOT)/vagrant && vagrant validate && MULTI=1 vagrant validate

vm-clean:
	rm -rf $(VM_ROOT)/vm/out
