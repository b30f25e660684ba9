# mlops.observability - lab and tests. Run as root on Debian 12 or 13.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(abspath $(VENV))/bin
COLLECTIONS := $(CURDIR)/.cache/collections
SCENARIOS ?= $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))
# the scenarios without timing-sensitive checks, which make test runs beside the static checks, the longest
# first (measured in CI: logging 1745 s, elasticsearch 1109, install_methods 792, pki 336, node_exporter 292), so
# that the two lanes end close together; a scenario not listed here runs after them
LONGEST_FIRST := logging elasticsearch install_methods pki node_exporter
LIGHT_SCENARIOS := $(filter $(SCENARIOS),$(LONGEST_FIRST)) $(filter-out monitoring $(LONGEST_FIRST),$(SCENARIOS))
# how many of them run at once (each has its own hosts and network); three at once with monitoring among them
# was slower on 2 cores (load average 10 to 16, 20 to 30 s a task; measured in session 11)
LIGHT_JOBS ?= 2
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
# the lab and the scenarios reach their hosts with tests/connection_plugins/podman.py: podman exec, pipelined
export ANSIBLE_PIPELINING := True
export ANSIBLE_CONNECTION_PLUGINS := $(CURDIR)/tests/connection_plugins
export ANSIBLE_FORCE_COLOR := False

.PHONY: help setup images lab lab-up lab-destroy test lint sanity units molecule

help:
	@echo "make lab          deploy the stack on local lab hosts (podman systemd containers)"
	@echo "make test         run every test: yamllint, ansible-lint, ansible-test sanity, unit tests, molecule"
	@echo "make lab-destroy  remove the lab hosts and their network"

# Host packages, podman settings, the virtualenv and the collection link.
setup: $(VENV)/.installed $(COLLECTIONS)/ansible_collections/mlops/observability
	@lab/host-setup.sh

$(VENV)/.installed: requirements.lock.txt clients/python/requirements-test.txt
	python3 -m venv $(VENV) || { apt-get install -y -qq python3-venv && python3 -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock.txt -r clients/python/requirements-test.txt
	$(BIN)/pip install -q --no-deps -e clients/python
	touch $@

$(COLLECTIONS)/ansible_collections/mlops/observability:
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@

images: setup
	lab/build-image.sh bookworm
	lab/build-image.sh trixie

lab: images
	$(BIN)/ansible-playbook -i inventories/lab lab/lab.yml -e lab_state=present
	$(BIN)/ansible-playbook -i inventories/lab site.yml
	$(BIN)/ansible-playbook -i inventories/lab lab/access.yml

lab-destroy: setup
	$(BIN)/ansible-playbook -i inventories/lab lab/lab.yml -e lab_state=absent

# Two lanes, then the monitoring scenario alone: the static checks and unit tests (log in
# tests/output/checks.log, printed when they end) run beside the other scenarios, LIGHT_JOBS of them at
# once; monitoring, whose alert checks count pages under load, runs after both lanes passed, on an
# otherwise quiet machine.
test: images
	@mkdir -p tests/output
	@( $(MAKE) --no-print-directory lint sanity units > tests/output/checks.log 2>&1; echo $$? > tests/output/checks.rc ) & \
	  start=$$(date +%s); MOLECULE_JOBS=$(LIGHT_JOBS) tests/molecule.sh $(LIGHT_SCENARIOS); light=$$?; wait; \
	  echo "=== static checks and unit tests (tests/output/checks.log):"; cat tests/output/checks.log; \
	  checks=$$(cat tests/output/checks.rc); \
	  echo "=== lanes ended after $$(( $$(date +%s) - start ))s: checks exit $$checks, scenarios exit $$light"; \
	  [ "$$checks" = 0 ] && [ "$$light" = 0 ]
	tests/molecule.sh monitoring

lint: setup
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --profile production
	# docs of the plugins and roles as the Ansible docsite would render them; references checked
	$(BIN)/antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all \
	  --disallow-unknown-collection-refs $(COLLECTIONS)/ansible_collections/mlops/observability

sanity: setup
	tests/ansible-test.sh sanity

# ansible-test units for the plugins, then the module and alert-library tests, which run the
# modules with ansible-playbook and rules with the real promtool (Debian's, unpacked in .cache/bin)
units: setup
	tests/ansible-test.sh units
	tests/get-promtool.sh .cache/bin
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/modules
	# bad role input fails at the roles' input checks before any change (ansible-playbook on localhost)
	PYTHONPATH=$(COLLECTIONS) $(BIN)/python -m pytest -q -p no:cacheprovider tests/roles
	# apart: ansible's module_utils patch sys.intern, which torch cannot import beside
	$(BIN)/python -m pytest -q -p no:cacheprovider clients/python/tests

molecule: images
	tests/molecule.sh $(SCENARIOS)
