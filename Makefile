# mlops.observability - lab and tests. Run as root on Debian 12 or 13.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(abspath $(VENV))/bin
COLLECTIONS := $(CURDIR)/.cache/collections
SCENARIOS ?= $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))
# make test runs the scenarios in this order, TEST_JOBS of them at once, beside the static checks: monitoring
# first (its alert checks wait minutes for pages and resolves, and load their hosts themselves), then the others
# longest first (measured in CI: monitoring 1629 s, logging 1745 s, elasticsearch 1109, install_methods 792, pki 336,
# node_exporter 292), so that the lanes end close together; a scenario not listed here runs after them
LONGEST_FIRST := monitoring logging elasticsearch install_methods pki node_exporter
TEST_SCENARIOS := $(filter $(SCENARIOS),$(LONGEST_FIRST)) $(filter-out $(LONGEST_FIRST),$(SCENARIOS))
# how many scenarios run at once (each has its own hosts, with names no other scenario uses, and network)
TEST_JOBS ?= 3
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_PIPELINING := False
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

# The static checks and unit tests (log in tests/output/checks.log, printed when they end) run beside the
# scenarios, TEST_JOBS of them at once.
test: images
	@mkdir -p tests/output
	@( $(MAKE) --no-print-directory lint sanity units > tests/output/checks.log 2>&1; echo $$? > tests/output/checks.rc ) & \
	  start=$$(date +%s); MOLECULE_JOBS=$(TEST_JOBS) tests/molecule.sh $(TEST_SCENARIOS); scenarios=$$?; wait; \
	  echo "=== static checks and unit tests (tests/output/checks.log):"; cat tests/output/checks.log; \
	  checks=$$(cat tests/output/checks.rc); \
	  echo "=== all ended after $$(( $$(date +%s) - start ))s: checks exit $$checks, scenarios exit $$scenarios"; \
	  [ "$$checks" = 0 ] && [ "$$scenarios" = 0 ]

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
