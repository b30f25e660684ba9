# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The elasticsearch role's view of its cluster, from the inventory, in plain Python."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

NODE_ROLES = ('master', 'data', 'data_content', 'data_hot', 'data_warm', 'data_cold', 'data_frozen', 'ingest', 'ml',
              'remote_cluster_client', 'transform', 'voting_only')


def elasticsearch_cluster(hostvars, nodes, default_roles, default_port=9300, allow_even_masters=False):
    """{nodes: [{name, address, roles}], masters, seed_hosts, problems} of the hosts of the cluster's group.

    A node's roles and address are its elasticsearch_node_roles and elasticsearch_node_address when the
    inventory sets them, else default_roles and its inventory name. problems lists what the role refuses before
    any change: unknown roles, no master-eligible node, an even number of them (unless allowed), two nodes with
    one address.
    """
    if not isinstance(nodes, list) or not nodes:
        raise AnsibleFilterError('elasticsearch_cluster: the inventory group of the cluster is empty or missing')
    view, problems, seen = [], [], {}
    for name in nodes:
        host = hostvars[name] if name in hostvars else {}
        roles = host.get('elasticsearch_node_roles', default_roles)
        address = host.get('elasticsearch_node_address') or name
        if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
            problems.append('%s: elasticsearch_node_roles: %r is not a list of node roles' % (name, roles))
            roles = []
        unknown = [role for role in roles if role not in NODE_ROLES]
        if unknown:
            problems.append('%s: elasticsearch_node_roles: unknown %s; known are %s' % (
                name, ', '.join(unknown), ', '.join(NODE_ROLES)))
        if address in seen:
            problems.append('%s: elasticsearch_node_address: %s is also the address of %s' % (name, address, seen[address]))
        seen.setdefault(address, name)
        view.append({'name': name, 'address': address, 'roles': roles})
    masters = [node['name'] for node in view if 'master' in node['roles']]
    if not masters:
        problems.append('no node of the group is master-eligible: give at least one node the master role')
    elif len(masters) % 2 == 0 and not allow_even_masters:
        problems.append('%d master-eligible nodes (%s): an even number gains no fault tolerance over one less, and a '
                        'split in half stops the cluster; use an odd number, or set elasticsearch_allow_even_masters'
                        % (len(masters), ', '.join(masters)))
    return {'nodes': view, 'masters': masters, 'problems': problems,
            'seed_hosts': ['%s:%s' % (node['address'], default_port) for node in view]}


class FilterModule:
    def filters(self):
        return {'elasticsearch_cluster': elasticsearch_cluster}
