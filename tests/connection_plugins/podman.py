# Test-only connection plugin: containers.podman's podman connection with pipelining.
# The lab and the molecule scenarios reach their hosts with "podman exec", as root. The upstream plugin declares
# no pipelining because its "podman exec" has no "-i" (the module sent on stdin would not arrive); with "-i" a task
# costs one "podman exec" instead of three to four (temporary folder, module, cleanup), and the container's
# file system is mounted only when a file is copied. Selected by the short name "podman", which the podman driver
# of molecule and the lab inventory use, through ANSIBLE_CONNECTION_PLUGINS (Makefile).
from __future__ import annotations

DOCUMENTATION = """
name: podman
short_description: podman exec, pipelined (test-only)
description:
  - The containers.podman.podman connection with pipelining. Test-only; see the header of this file.
extends_documentation_fragment: []
author: mlops.observability
options:
  remote_addr:
    description: The container.
    default: inventory_hostname
    vars: [{name: inventory_hostname}, {name: ansible_host}]
  remote_user:
    description: The user in the container.
    vars: [{name: ansible_user}]
    ini: [{section: defaults, key: remote_user}]
    env: [{name: ANSIBLE_REMOTE_USER}]
  podman_executable:
    description: The podman binary.
    default: podman
    vars: [{name: ansible_podman_executable}]
    env: [{name: ANSIBLE_PODMAN_EXECUTABLE}]
  podman_extra_args:
    description: Extra arguments of podman.
    default: ""
    vars: [{name: ansible_podman_extra_args}]
    env: [{name: ANSIBLE_PODMAN_EXTRA_ARGS}]
"""

from ansible_collections.containers.podman.plugins.connection.podman import Connection as PodmanConnection


class Connection(PodmanConnection):
    transport = "podman"
    has_pipelining = True

    def _connect(self):
        # no mount here: put_file and fetch_file mount on first use
        super(PodmanConnection, self)._connect()
        self._connected = True

    def _mount(self):
        if self._mount_point is None:
            PodmanConnection._connect(self)

    def _podman(self, cmd, cmd_args=None, in_data=None, use_container_id=True):
        # the pipelined module comes on stdin, which only "podman exec -i" passes on
        if in_data is not None and not isinstance(cmd, str) and cmd[:1] == ["exec"]:
            cmd = ["exec", "-i"] + list(cmd[1:])
        return super()._podman(cmd, cmd_args, in_data, use_container_id)

    def put_file(self, in_path, out_path):
        self._mount()
        super().put_file(in_path, out_path)

    def fetch_file(self, in_path, out_path):
        self._mount()
        super().fetch_file(in_path, out_path)
