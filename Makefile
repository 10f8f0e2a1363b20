# sandbox — the two commands are `sudo make run` and `sudo make test` (as root, no sudo).
# `run` opens the lessons (the engine is started first). Both install what is missing first: Debian/Ubuntu packages through apt-get, then a
# virtualenv in .venv with the project and its Python dependencies.

PYTHON ?= /usr/bin/python3
VENV   := .venv
BIN    := $(VENV)/bin
APT_PACKAGES := python3 python3-venv python3-dev python3-seccomp gcc libc6-dev runc skopeo umoci \
                busybox-static mmdebstrap iproute2 tmux docker-registry apache2-utils docker.io nftables

.PHONY: all install deps venv run test test-unit lint docs bench clean

all: install

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# compat mode: a plain .pth entry, no import hook, so `sandbox` starts fast.
	$(BIN)/python -m pip install -q -e '.[test]' --config-settings editable_mode=compat
	# libseccomp's own Python binding comes from Debian (python3-seccomp); link it in.
	ln -sf "$$($(PYTHON) -c 'import seccomp; print(seccomp.__file__)')" \
	  "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')/"
	touch $@

venv: $(BIN)/.installed

install: deps venv
	@# Byte-compile now: with PYTHONDONTWRITEBYTECODE set, every start would compile again,
	@# and start-up time is part of every `sandbox runtime run`.
	@$(BIN)/python -m compileall -q sandbox >/dev/null

run: install
	$(BIN)/sandbox image bootstrap --if-missing
	$(BIN)/sandbox up
	$(BIN)/sandbox

lint: install
	$(BIN)/lint-imports

test: install lint
	$(BIN)/python -m pytest

test-unit: install
	$(BIN)/python -m pytest -m "not root"

docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

# Every script prints its own table of medians and ratios against the peers it names.
BENCHES := runtime_start engine_run network_setup build_cache registry_push_pull \
           tui_start repl_start frontends_live

bench: install
	set -e; for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py; done

clean:
	rm -rf $(VENV) .pytest_cache

# The classroom VM: vm-image, vm-test, vm-shell, vm-validate (see docs/vm.md).
include vm.mk
