"""Elasticsearch stand-in: a small HTTPS server for tests of mlops.observability. It is NOT Elasticsearch.

It answers only the REST calls that the collection's roles and modules make (cluster health and settings, ILM
policies, index and component templates, data streams, security users and roles), over TLS and basic auth, and
appends every call it receives to a JSON-lines file, so that a test can assert what was sent and in which order.
Request and response shapes follow Elastic's REST API spec and examples; README.md in this directory lists the
sources and what the stand-in leaves out. Python 3.11 standard library only, and python3-yaml in config mode.

Run: python3 elasticsearch_standin.py --listen 127.0.0.1:9200 --cert http.pem --key http.key \
         --users users.json --calls calls.jsonl --state state.json
 or: python3 elasticsearch_standin.py --config /etc/elasticsearch/elasticsearch.yml   (what the stand-in package runs:
     TLS, users, paths and the other nodes from the files that the role rendered; also a TLS transport port)
"""
import argparse
import concurrent.futures
import copy
import ctypes
import datetime
import hashlib
import hmac
import json
import operator
import os
import re
import secrets
import signal
import socket
import socketserver
import ssl
import sys
import tempfile
import threading
import time
import traceback
import types
import urllib.parse
from base64 import b64decode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TAGLINE = 'stand-in for Elasticsearch, for tests of mlops.observability; not Elasticsearch'
BUILTIN_NOTE = 'built-in of the Elasticsearch stand-in (tests of mlops.observability), shaped like the one Elasticsearch installs'
WWW_AUTHENTICATE = 'Basic realm="security" charset="UTF-8"'
JSON_TYPES = ('application/json', 'application/vnd.elasticsearch+json', 'application/x-ndjson')

# ILM facts from ilm-policy-facts.md of the shared Elasticsearch reference folder (phases, actions per phase, options).
PHASES = ('hot', 'warm', 'cold', 'frozen', 'delete')
PHASE_ACTIONS = {
    'hot': {'set_priority', 'unfollow', 'rollover', 'readonly', 'downsample', 'shrink', 'forcemerge', 'searchable_snapshot'},
    'warm': {'set_priority', 'unfollow', 'readonly', 'downsample', 'shrink', 'forcemerge', 'allocate', 'migrate'},
    'cold': {'set_priority', 'unfollow', 'readonly', 'downsample', 'searchable_snapshot', 'allocate', 'migrate', 'freeze'},
    'frozen': {'unfollow', 'searchable_snapshot'},
    'delete': {'wait_for_snapshot', 'delete'},
}
# action: (options allowed, options required)
ACTION_OPTIONS = {
    'rollover': ({'max_age', 'max_docs', 'max_primary_shard_size', 'max_primary_shard_docs', 'max_size', 'min_age', 'min_docs',
                  'min_size', 'min_primary_shard_size', 'min_primary_shard_docs'}, set()),
    'set_priority': ({'priority'}, set()),
    'forcemerge': ({'max_num_segments', 'index_codec'}, {'max_num_segments'}),
    'shrink': ({'number_of_shards', 'max_primary_shard_size', 'allow_write_after_shrink'}, set()),
    'readonly': (set(), set()),
    'unfollow': (set(), set()),
    'freeze': (set(), set()),
    'downsample': ({'fixed_interval', 'wait_timeout'}, {'fixed_interval'}),
    'searchable_snapshot': ({'snapshot_repository', 'force_merge_index', 'total_shards_per_node'}, {'snapshot_repository'}),
    'allocate': ({'number_of_replicas', 'total_shards_per_node', 'include', 'exclude', 'require'}, set()),
    'migrate': ({'enabled'}, set()),
    'wait_for_snapshot': ({'policy'}, {'policy'}),
    'delete': ({'delete_searchable_snapshot'}, set()),
}
HOT_NEEDS_ROLLOVER = ('forcemerge', 'shrink', 'readonly', 'downsample', 'searchable_snapshot')
TIME_UNITS = {'nanos': 1, 'micros': 10 ** 3, 'ms': 10 ** 6, 's': 10 ** 9, 'm': 60 * 10 ** 9, 'h': 3600 * 10 ** 9, 'd': 86400 * 10 ** 9}

# Reserved users and their fixed roles; they exist always, but log in only once they have a password.
RESERVED_USERS = {'elastic': ['superuser'], 'kibana_system': ['kibana_system'], 'logstash_system': ['logstash_system'],
                  'beats_system': ['beats_system'], 'apm_system': ['apm_system'],
                  'remote_monitoring_user': ['remote_monitoring_collector', 'remote_monitoring_agent']}
# Some of the built-in role names (not all of them), which PUT _security/role refuses.
RESERVED_ROLES = {'superuser', 'kibana_system', 'logstash_system', 'beats_system', 'apm_system', 'remote_monitoring_agent',
                  'remote_monitoring_collector', 'kibana_admin', 'viewer', 'editor', 'monitoring_user', 'ingest_admin'}
# The index privileges that allow writing a document, and counting documents (Elasticsearch's privilege names).
INDEX_PRIVILEGES = {'post_doc': {'create_doc', 'create', 'index', 'write', 'all'}, 'count_docs': {'read', 'all'}}
USER_FIELDS = {'password', 'password_hash', 'roles', 'full_name', 'email', 'metadata', 'enabled'}
ROLE_FIELDS = {'cluster', 'indices', 'applications', 'run_as', 'metadata', 'global', 'remote_indices', 'remote_cluster',
               'description', 'transient_metadata'}
TEMPLATE_FIELDS = {'index_patterns', 'template', 'composed_of', 'priority', 'version', '_meta', 'data_stream',
                   'allow_auto_create', 'ignore_missing_component_templates', 'deprecated'}

# Node roles: those of a node without node.roles, and their letters in _cat/nodes (from memory of Elasticsearch
# 8.x/9.x, not checked against a running node).
DEFAULT_NODE_ROLES = ['data', 'data_cold', 'data_content', 'data_frozen', 'data_hot', 'data_warm', 'ingest', 'master', 'ml',
                      'remote_cluster_client', 'transform']
ROLE_LETTERS = {'data_cold': 'c', 'data': 'd', 'data_frozen': 'f', 'data_hot': 'h', 'ingest': 'i', 'ml': 'l', 'master': 'm',
                'remote_cluster_client': 'r', 'data_content': 's', 'transform': 't', 'voting_only': 'v', 'data_warm': 'w'}
HEALTH_RANK = {'red': 0, 'yellow': 1, 'green': 2}
# The keystore of the stand-in: JSON with base64 values, written by the elasticsearch-keystore stand-in in this directory.
KEYSTORE_FILE = 'elasticsearch.keystore'
KEYSTORE_MARKER = 'keystore of the Elasticsearch stand-in (tests of mlops.observability); not an Elasticsearch keystore'
TRANSPORT_MAX_LINE = 16 * 2 ** 20  # one transport message: a line of JSON, at most the whole state

# Built-ins present at the first start, like the logs template set of Elasticsearch 8.x/9.x (own, smaller bodies).
BUILTIN_POLICIES = {'logs': {'phases': {'hot': {'actions': {'rollover': {'max_age': '30d', 'max_primary_shard_size': '50gb'}}}},
                             '_meta': {'managed': True, 'description': BUILTIN_NOTE}}}
BUILTIN_COMPONENTS = {
    'logs@mappings': {'template': {'mappings': {'properties': {'data_stream': {'properties': {
        'type': {'type': 'constant_keyword', 'value': 'logs'}, 'dataset': {'type': 'constant_keyword'},
        'namespace': {'type': 'constant_keyword'}}}}}}, 'version': 1, '_meta': {'managed': True, 'description': BUILTIN_NOTE}},
    'logs@settings': {'template': {'settings': {'index': {'lifecycle': {'name': 'logs'}, 'codec': 'best_compression'}}},
                      'version': 1, '_meta': {'managed': True, 'description': BUILTIN_NOTE}},
    'ecs@mappings': {'template': {'mappings': {'dynamic_templates': [
        {'ecs_timestamp': {'match': '@timestamp', 'mapping': {'type': 'date'}}},
        {'ecs_message': {'match': 'message', 'mapping': {'type': 'match_only_text'}}}]}},
        'version': 1, '_meta': {'managed': True, 'description': BUILTIN_NOTE}},
}
BUILTIN_TEMPLATES = {'logs': {'index_patterns': ['logs-*-*'], 'priority': 100, 'data_stream': {}, 'allow_auto_create': True,
                              'composed_of': ['logs@mappings', 'logs@settings', 'logs@custom', 'ecs@mappings'],
                              'ignore_missing_component_templates': ['logs@custom'], 'version': 1,
                              '_meta': {'managed': True, 'description': BUILTIN_NOTE}}}


class ESError(Exception):
    """An error answered in Elasticsearch's shape: {"error": {"root_cause": [...], "type", "reason"}, "status"}."""

    def __init__(self, status, etype, reason, body=None):
        super().__init__(reason)
        self.status = status
        cause = {'type': etype, 'reason': reason}
        self.body = body if body is not None else {'error': dict(cause, root_cause=[cause]), 'status': status}


def bad(reason, etype='illegal_argument_exception'):
    return ESError(400, etype, reason)


def parse_error(reason):
    return ESError(400, 'x_content_parse_exception', reason)


def invalid(reason):
    return ESError(400, 'action_request_validation_exception', 'Validation Failed: 1: %s;' % reason)


def not_found(reason, etype='resource_not_found_exception'):
    return ESError(404, etype, reason)


def now_ms():
    return int(time.time() * 1000)


def iso(ms=None):
    moment = datetime.datetime.fromtimestamp((now_ms() if ms is None else ms) / 1000, datetime.timezone.utc)
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def simple_match(pattern, name):
    """Elasticsearch's simple pattern: only '*' is special."""
    return re.fullmatch('.*'.join(re.escape(part) for part in pattern.split('*')), name) is not None


def patterns_overlap(a, b):
    # An approximation of "some index name matches both patterns" (Elasticsearch intersects automata): either
    # pattern matches the other as a name, or the literal prefix of one, up to its first '*', starts the other's.
    if simple_match(a, b) or simple_match(b, a):
        return True
    prefix_a, prefix_b = a.split('*')[0], b.split('*')[0]
    return ('*' in a and prefix_b.startswith(prefix_a)) or ('*' in b and prefix_a.startswith(prefix_b))


def es_list(items):
    return '[%s]' % ', '.join(items)


def select(names, available, missing):
    """Names from a path part: all when empty, else a comma list of names or patterns; missing(name) raises."""
    if not names:
        return sorted(available)
    chosen = []
    for name in names.split(','):
        if '*' in name:
            chosen += [n for n in sorted(available) if simple_match(name, n) and n not in chosen]
        elif name in available:
            chosen.append(name)
        else:
            raise missing(name)
    return chosen


def flatten(obj, prefix=''):
    flat = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            flat.update(flatten(value, prefix + key + '.'))
        else:
            flat[prefix + key] = value
    return flat


def nest(flat):
    nested = {}
    for key in sorted(flat):
        node, parts = nested, key.split('.')
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = flat[key]
    return nested


def setting_value(value):
    """Settings read back as strings, like Elasticsearch's Settings."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list):
        return [setting_value(item) for item in value]
    return value if value is None or isinstance(value, str) else str(value)


def index_settings(settings):
    """Index settings as Elasticsearch stores them: nested, string values, every key under "index."."""
    if not isinstance(settings, dict):
        raise parse_error('[settings] must be an object')
    flat = flatten(settings)
    return nest({(k if k.startswith('index.') else 'index.' + k): setting_value(v) for k, v in flat.items()})


def parse_duration(value, field):
    match = re.fullmatch(r'\s*(\d+)\s*(nanos|micros|ms|s|m|h|d)\s*', value.lower()) if isinstance(value, str) else None
    if match:
        return int(match.group(1)) * TIME_UNITS[match.group(2)]
    if value == '0':
        return 0
    raise bad('failed to parse setting [%s] with value [%s] as a time value: unit is missing or unrecognized' % (field, value))


def file_user(name, password, roles=()):
    """A user whose password comes from a file (users file, keystore); reserved users keep their fixed roles."""
    return {'password': password, 'roles': RESERVED_USERS.get(name, list(roles)), 'full_name': None, 'email': None,
            'metadata': {}, 'enabled': True}


def hide_passwords(value):
    if isinstance(value, dict):
        return {k: '<hidden>' if k in ('password', 'password_hash') else hide_passwords(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hide_passwords(item) for item in value]
    return value


def hash_password(password):
    salt = secrets.token_hex(16)
    return 'sha256$%s$%s' % (salt, hashlib.sha256((salt + password).encode()).hexdigest())


def password_matches(record, password):
    if record.get('password_hash'):
        salt, digest = record['password_hash'].split('$')[1:]
        return hmac.compare_digest(digest, hashlib.sha256((salt + password).encode()).hexdigest())
    if record.get('password') is not None:
        return hmac.compare_digest(record['password'].encode(), password.encode())
    return False


def check_password(body):
    password = body.get('password')
    if not isinstance(password, str) or len(password) < 6:
        raise invalid('passwords must be at least [6] characters long')
    return password


def validate_policy(policy):
    """Check an ILM policy like Elasticsearch does (the rules of ilm-policy-facts.md); raises ESError 400."""
    if not isinstance(policy, dict):
        raise parse_error('[policy] must be an object')
    for key in set(policy) - {'phases', '_meta'}:
        raise parse_error('[lifecycle_policy] unknown field [%s]' % key)
    phases = policy.get('phases')
    if not isinstance(phases, dict):
        raise parse_error('[lifecycle_policy] [phases] is required and must be an object')
    if not isinstance(policy.get('_meta', {}), dict):
        raise parse_error('[lifecycle_policy] [_meta] must be an object')
    ages, actions = {}, {}
    for phase, body in phases.items():
        if phase not in PHASES:
            raise bad('Timeseries lifecycle does not support phase [%s]' % phase)
        if not isinstance(body, dict) or set(body) - {'min_age', 'actions'}:
            raise parse_error('[phase] [%s] takes only the fields [min_age] and [actions]' % phase)
        ages[phase] = parse_duration(body.get('min_age', '0ms'), 'min_age')
        actions[phase] = body.get('actions', {})
        if not isinstance(actions[phase], dict):
            raise parse_error('[phase] [%s]: [actions] must be an object' % phase)
        for action, options in actions[phase].items():
            if action not in ACTION_OPTIONS:
                raise parse_error('[phase] [%s]: unknown lifecycle action [%s]' % (phase, action))
            if action not in PHASE_ACTIONS[phase]:
                raise bad('invalid action [%s] defined in phase [%s]' % (action, phase))
            check_action(action, options)
    hot = actions.get('hot', {})
    needs_rollover = [a for a in HOT_NEEDS_ROLLOVER if a in hot]
    if needs_rollover and 'rollover' not in hot:
        raise bad('the [%s] action(s) may not be used in the [hot] phase without an accompanying [rollover] action'
                  % ', '.join(needs_rollover))
    if 'frozen' in phases and 'searchable_snapshot' not in actions['frozen']:
        raise bad('policy specifies [frozen] phase without a corresponding [searchable_snapshot] action, '
                  'but a searchable snapshot action is required in the frozen phase')
    # Not checked: searchable_snapshot in hot then shrink/forcemerge/downsample later, one snapshot repository per
    # policy, migrate beside allocate rules (ilm-policy-facts.md lists them).
    # A phase without min_age (or with 0) is not compared, as Elasticsearch does. The message is Elasticsearch's
    # own: the reference REST test 10_basic.yml expects it.
    timed = [p for p in PHASES if ages.get(p)]
    for i, earlier in enumerate(timed):
        for later in timed[i + 1:]:
            if ages[later] < ages[earlier]:
                raise bad('Your policy is configured to run the %s phase (min_age: %s) before the %s phase (min_age: %s). '
                          'You should change the phase timing so that the phases will execute in the order of hot, warm, '
                          'then cold.' % (later, phases[later]['min_age'], earlier, phases[earlier]['min_age']))


def check_action(action, options):
    allowed, required = ACTION_OPTIONS[action]
    if not isinstance(options, dict):
        raise parse_error('[%s] must be an object' % action)
    for key in sorted(set(options) - allowed):
        raise parse_error('[%s] unknown field [%s]' % (action, key))
    for key in sorted(required - set(options)):
        raise parse_error('[%s] required field [%s] is missing' % (action, key))
    if action == 'rollover' and not any(key.startswith('max_') for key in options):
        raise bad('At least one max_* rollover condition must be set.')
    if action == 'shrink' and ('number_of_shards' in options) == ('max_primary_shard_size' in options):
        raise bad('[shrink] needs exactly one of [number_of_shards] and [max_primary_shard_size]')


def normalised_policy(policy):
    """The policy as GET _ilm/policy shows it: min_age "0ms" when unset, delete's default option written out."""
    policy = copy.deepcopy(policy)
    for phase in policy['phases'].values():
        phase.setdefault('min_age', '0ms')
        phase.setdefault('actions', {})
        if 'delete' in phase['actions']:
            phase['actions']['delete'].setdefault('delete_searchable_snapshot', True)
    return policy


def template_section(section):
    """The "template" part of an index or component template: settings normalised, the rest kept."""
    if not isinstance(section, dict):
        raise parse_error('[template] must be an object')
    for key in set(section) - {'settings', 'mappings', 'aliases', 'lifecycle', 'data_stream_options'}:
        raise parse_error('[template] unknown field [%s]' % key)
    section = dict(section)
    if 'settings' in section:
        section['settings'] = index_settings(section['settings'])
    return section


def index_template(body):
    """An index template as stored and read back by Elasticsearch; raises ESError on a malformed body."""
    if not isinstance(body, dict):
        raise parse_error('[index_template] must be an object')
    for key in sorted(set(body) - TEMPLATE_FIELDS):
        raise parse_error('[index_template] unknown field [%s]' % key)
    template = copy.deepcopy(body)
    patterns = template.get('index_patterns')
    patterns = [patterns] if isinstance(patterns, str) else patterns
    if not patterns or not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        raise parse_error('[index_template] [index_patterns] is required: a list of index name patterns')
    template['index_patterns'] = patterns
    template['composed_of'] = template.get('composed_of') or []
    if not all(isinstance(name, str) for name in template['composed_of']):
        raise parse_error('[index_template] [composed_of] must be a list of names')
    priority = template.get('priority')
    if priority is not None and (not isinstance(priority, int) or isinstance(priority, bool) or priority < 0):
        raise bad('index template priority must be a non-negative integer')
    if 'template' in template:
        template['template'] = template_section(template['template'])
    if 'data_stream' in template:
        if not isinstance(template['data_stream'], dict):
            raise parse_error('[data_stream] must be an object')
        template['data_stream'] = dict({'hidden': False, 'allow_custom_routing': False}, **template['data_stream'])
    return template


def component_template(body):
    if not isinstance(body, dict) or 'template' not in body:
        raise parse_error('[component_template] [template] is required')
    for key in sorted(set(body) - {'template', 'version', '_meta', 'deprecated'}):
        raise parse_error('[component_template] unknown field [%s]' % key)
    return dict(copy.deepcopy(body), template=template_section(body['template']))


def role_body(body):
    if not isinstance(body, dict):
        raise parse_error('[role] must be an object')
    for key in sorted(set(body) - ROLE_FIELDS):
        raise parse_error('failed to parse role: unexpected field [%s]' % key)
    role = {'cluster': [], 'indices': [], 'applications': [], 'run_as': [], 'metadata': {}, 'transient_metadata': {'enabled': True}}
    role.update(copy.deepcopy(body))
    entries = []
    for entry in role['indices']:
        if not isinstance(entry, dict) or 'names' not in entry or 'privileges' not in entry:
            raise parse_error('failed to parse indices privileges: [names] and [privileges] are required')
        names = [entry['names']] if isinstance(entry['names'], str) else entry['names']
        entries.append(dict({'allow_restricted_indices': False}, **dict(entry, names=names)))
    role['indices'] = entries
    return role


class StandIn:
    """The stand-in's state and its REST handlers. One lock serialises calls: they are few and small."""

    def __init__(self, settings):
        self.settings = settings
        self.node = settings['node_name']
        self.lock = threading.Lock()
        self.outbox = None  # the state to send to the other nodes after a change (config mode)
        self.transport_client = None  # the TLS client context of the transport layer (config mode; set by main)
        self.seed_status = {}
        self.file_users = self.load_users(settings['users']) if settings['users'] else {}
        if settings['bootstrap_password'] is not None:  # as in Elasticsearch: until the API sets elastic's password
            self.file_users['elastic'] = file_user('elastic', settings['bootstrap_password'])
        self.state = self.load_state()
        self.routes = [(set(methods.split('|')), re.compile(pattern), action, getattr(self, handler)) for methods, pattern, action, handler in (
            ('GET', r'/', 'cluster:monitor/main', 'root'),
            ('GET', r'/_cluster/health', 'cluster:monitor/health', 'cluster_health'),
            ('GET', r'/_cat/nodes', 'cluster:monitor/nodes/info', 'cat_nodes'),
            ('GET', r'/_nodes/_local', 'cluster:monitor/nodes/info', 'nodes_local'),
            ('GET', r'/_cluster/settings', 'cluster:monitor/state', 'get_cluster_settings'),
            ('PUT', r'/_cluster/settings', 'cluster:admin/settings/update', 'put_cluster_settings'),
            ('GET', r'/_ilm/policy(?:/(?P<name>[^/]+))?', 'cluster:admin/ilm/get', 'get_policies'),
            ('PUT', r'/_ilm/policy/(?P<name>[^/]+)', 'cluster:admin/ilm/put', 'put_policy'),
            ('DELETE', r'/_ilm/policy/(?P<name>[^/]+)', 'cluster:admin/ilm/delete', 'delete_policy'),
            ('GET', r'/_index_template(?:/(?P<name>[^/]+))?', 'indices:admin/index_template/get', 'get_templates'),
            ('PUT|POST', r'/_index_template/(?P<name>[^/]+)', 'indices:admin/index_template/put', 'put_template'),
            ('DELETE', r'/_index_template/(?P<name>[^/]+)', 'indices:admin/index_template/delete', 'delete_template'),
            ('GET', r'/_component_template/(?P<name>[^/]+)', 'cluster:admin/component_template/get', 'get_components'),
            ('PUT|POST', r'/_component_template/(?P<name>[^/]+)', 'cluster:admin/component_template/put', 'put_component'),
            ('GET', r'/_data_stream(?:/(?P<name>[^/]+))?', 'indices:admin/data_stream/get', 'get_streams'),
            ('PUT', r'/_data_stream/(?P<name>[^/]+)', 'indices:admin/data_stream/create', 'put_stream'),
            ('DELETE', r'/_data_stream/(?P<name>[^/]+)', 'indices:admin/data_stream/delete', 'delete_stream'),
            ('POST', r'/(?P<name>[^_/][^/]*)/_doc', 'indices:data/write/index', 'post_doc'),
            ('GET', r'/(?P<name>[^_/][^/]*)/_count', 'indices:data/read/search', 'count_docs'),
            ('GET', r'/_security/_authenticate', 'cluster:admin/xpack/security/user/authenticate', 'authenticate_view'),
            ('PUT|POST', r'/_security/user(?:/(?P<name>[^/]+))?/_password', 'cluster:admin/xpack/security/user/change_password',
             'change_password'),
            ('GET', r'/_security/user(?:/(?P<name>[^/]+))?', 'cluster:admin/xpack/security/user/get', 'get_users'),
            ('PUT|POST', r'/_security/user/(?P<name>[^/]+)', 'cluster:admin/xpack/security/user/put', 'put_user'),
            ('DELETE', r'/_security/user/(?P<name>[^/]+)', 'cluster:admin/xpack/security/user/delete', 'delete_user'),
            ('GET', r'/_security/role(?:/(?P<name>[^/]+))?', 'cluster:admin/xpack/security/role/get', 'get_roles'),
            ('PUT|POST', r'/_security/role/(?P<name>[^/]+)', 'cluster:admin/xpack/security/role/put', 'put_role'),
            ('DELETE', r'/_security/role/(?P<name>[^/]+)', 'cluster:admin/xpack/security/role/delete', 'delete_role'),
        )]

    # ---- files: users, state, calls, log
    def log(self, message):
        write_log(self.settings['log_stream'], self.node, message)

    @staticmethod
    def load_users(path):
        with open(path, encoding='utf-8') as handle:
            users = json.load(handle)
        records = {}
        for name, user in users.items():
            if not isinstance(user, dict) or not isinstance(user.get('password'), str):
                raise SystemExit('stand-in: users file %s: user [%s] needs a "password" string' % (path, name))
            records[name] = file_user(name, user['password'], user.get('roles', []))
        return records

    def load_state(self):
        path = self.settings['state']
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                state = json.load(handle)
            state['cluster_settings']['transient'] = {}  # transient settings do not survive a restart
            state.setdefault('node_id', secrets.token_urlsafe(16)[:22])
            state.setdefault('revision', 0)
            state.setdefault('revised_by', self.node)
            return state
        # revision and revised_by order the states of the nodes of a cluster (config mode): the newest wins
        state = {'note': 'state of the Elasticsearch stand-in (tests of mlops.observability); not Elasticsearch data',
                 'cluster_uuid': secrets.token_urlsafe(16)[:22], 'node_id': secrets.token_urlsafe(16)[:22], 'revision': 0,
                 'revised_by': self.node, 'users': {}, 'roles': {}, 'data_streams': {},
                 'cluster_settings': {'persistent': {}, 'transient': {}},
                 'policies': {name: {'version': 1, 'modified_date': now_ms(), 'policy': policy} for name, policy in BUILTIN_POLICIES.items()},
                 'component_templates': {name: component_template(body) for name, body in BUILTIN_COMPONENTS.items()},
                 'index_templates': {name: index_template(body) for name, body in BUILTIN_TEMPLATES.items()}}
        self.state = state
        self.save(changed=False)
        return state

    def save(self, changed=True):
        """Write the state atomically: a temporary file in the same directory, then a rename. A change by a call
        raises the revision and, with other nodes, is sent to them before the call is answered (handle)."""
        if changed:
            self.state['revision'] += 1
            self.state['revised_by'] = self.node
            if self.settings['seed_hosts']:
                self.outbox = self.shared_state()
        path = self.settings['state']
        fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix='.standin-state-')
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            json.dump(self.state, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def record(self, entry):
        with open(self.settings['calls'], 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(entry, sort_keys=True) + '\n')

    # ---- one call: parse, authenticate, route, authorise, answer, record
    def handle(self, method, raw_path, query, headers, raw):
        path = raw_path.rstrip('/') or '/'
        entry = {'ts': iso(), 'node': self.node, 'method': method, 'path': path, 'query': query, 'user': None,
                 'status': None, 'body': None}
        extra_headers = []
        try:
            with self.lock:
                body, body_error = None, None
                try:
                    body = self.parse_body(headers, raw)
                    entry['body'] = hide_passwords(body)
                except ESError as err:
                    body_error = err
                    entry['body'] = '<not JSON, %d bytes>' % len(raw)
                user = self.authenticate(headers.get('Authorization'), path)
                entry['user'] = user['username']
                handler, action, params = self.route(method, path)
                self.authorize(method, user, action, handler, params)
                if body_error:
                    raise body_error
                request = types.SimpleNamespace(method=method, path=path, query=query, body=body, params=params, user=user)
                locked = handler.__name__ not in ('cluster_health', 'cat_nodes', 'nodes_local')
                if locked:
                    status, answer = handler(request)
            if not locked:  # these wait, or call the other nodes: not while holding the lock
                status, answer = handler(request)
        except ESError as err:
            status, answer = err.status, err.body
            if status == 401:
                extra_headers.append(('WWW-Authenticate', WWW_AUTHENTICATE))
        except Exception as err:  # pylint: disable=broad-except
            self.log('internal error on %s %s: %s' % (method, path, traceback.format_exc().replace('\n', ' | ')))
            status, answer = 500, ESError(500, 'stand_in_internal_error', 'stand-in internal error: %s' % err).body
        entry['status'] = status
        with self.lock:
            self.record(entry)
            outbox, self.outbox = self.outbox, None
        if outbox:  # acknowledged once the reachable nodes have it, as Elasticsearch does with a cluster state update
            self.probe({'type': 'publish', 'state': outbox}, timeout=3)
        self.log('%s %s%s -> %d (user %s)' % (method, path, '?' + urllib.parse.urlencode(query) if query else '', status, entry['user']))
        return status, answer, extra_headers

    @staticmethod
    def parse_body(headers, raw):
        if not raw.strip():
            return None
        content_type = (headers.get('Content-Type') or '').split(';')[0].strip().lower()
        if content_type not in JSON_TYPES:
            raise ESError(406, 'media_type_header_exception', 'Content-Type header [%s] is not supported' % content_type)
        try:
            return json.loads(raw)
        except ValueError as err:
            raise parse_error('stand-in: the request body is not valid JSON: %s' % err) from None

    def authenticate(self, header, path):
        if not header or not header.startswith('Basic '):
            raise self.unauthenticated('missing authentication credentials for REST request [%s]' % path)
        try:
            name, password = b64decode(header[6:], validate=True).decode('utf-8').split(':', 1)
        except ValueError:
            raise self.unauthenticated('invalid basic authentication header for REST request [%s]' % path) from None
        record = self.user_record(name)
        if not record or not record.get('enabled', True) or not password_matches(record, password):
            raise self.unauthenticated('unable to authenticate user [%s] for REST request [%s]' % (name, path))
        return dict(self.user_view(name, record), realm=self.realm(name))

    @staticmethod
    def unauthenticated(reason):
        cause = {'type': 'security_exception', 'reason': reason, 'header': {'WWW-Authenticate': [WWW_AUTHENTICATE]}}
        return ESError(401, 'security_exception', reason, {'error': dict(cause, root_cause=[cause]), 'status': 401})

    def route(self, method, path):
        for methods, pattern, action, handler in self.routes:
            match = pattern.fullmatch(path)
            if match and (method in methods or (method == 'HEAD' and 'GET' in methods)):
                params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items() if v is not None}
                return handler, action, params
        raise bad('stand-in: unsupported request %s %s' % (method, path))

    def authorize(self, method, user, action, handler, params):
        """Superusers may do anything. Documents are written and counted only with an index privilege of one of the
        user's roles for every index named. Other users may read the rest, and change their own password."""
        if 'superuser' in user['roles']:
            return
        if handler in (self.post_doc, self.count_docs):
            if all(self.index_privilege(user, name, INDEX_PRIVILEGES[handler.__name__]) for name in params['name'].split(',')):
                return
        elif method in ('GET', 'HEAD'):
            return
        elif handler == self.change_password and params.get('name', user['username']) == user['username']:
            return
        raise ESError(403, 'security_exception', 'action [%s] is unauthorized for user [%s] with effective roles [%s]; '
                      'the stand-in grants it to superusers only' % (action, user['username'], ','.join(user['roles'])))

    def index_privilege(self, user, name, granting):
        """True when one of the user's roles grants one of the privileges `granting` on an index pattern matching
        the index or data stream `name` (a wildcard in `name` must be matched by a pattern: never for a role of
        ours)."""
        for role in user['roles']:
            for entry in (self.state['roles'].get(role) or {}).get('indices', []):
                if set(entry['privileges']) & granting and any(simple_match(pattern, name) for pattern in entry['names']):
                    return True
        return False

    @staticmethod
    def need_body(request):
        if request.body is None:
            raise ESError(400, 'parse_exception', 'request body is required')
        if not isinstance(request.body, dict):
            raise parse_error('the request body must be a JSON object')
        return request.body

    # ---- cluster
    def root(self, request):
        version = {'number': self.settings['version'], 'build_flavor': 'default', 'build_type': 'stand-in',
                   'build_hash': 'stand-in', 'build_date': '1970-01-01T00:00:00.000Z', 'build_snapshot': False}
        return 200, {'name': self.node, 'cluster_name': self.settings['cluster_name'],
                     'cluster_uuid': self.state['cluster_uuid'], 'version': version, 'tagline': TAGLINE}

    def cluster_health(self, request):
        """Health of self and the seed hosts that answer; wait_for_status and wait_for_nodes poll until `timeout`."""
        query = request.query
        wanted_status = query.get('wait_for_status')
        if wanted_status is not None and wanted_status not in HEALTH_RANK:
            raise bad('unknown cluster health status [%s]' % wanted_status)
        timeout = parse_duration(query.get('timeout', '30s'), 'timeout') / 1e9
        wanted_nodes = None
        if query.get('wait_for_nodes'):
            match = re.fullmatch(r'(>=|<=|>|<|ge|le|gt|lt)?\(?(\d+)\)?', query['wait_for_nodes'].strip())
            if not match:
                raise bad('cannot parse wait_for_nodes [%s]' % query['wait_for_nodes'])
            how = {'>=': 'ge', '<=': 'le', '>': 'gt', '<': 'lt'}.get(match.group(1), match.group(1) or 'eq')
            wanted_nodes = (getattr(operator, how), int(match.group(2)))
        deadline = time.monotonic() + timeout
        while True:
            nodes, status = self.members()
            met = ((wanted_status is None or HEALTH_RANK[status] >= HEALTH_RANK[wanted_status])
                   and (wanted_nodes is None or wanted_nodes[0](len(nodes), wanted_nodes[1])))
            if met or time.monotonic() >= deadline:
                break
            time.sleep(max(0.0, min(0.5, deadline - time.monotonic())))
        data_nodes = sum(1 for node in nodes.values() if any(role.startswith('data') for role in node['roles']))
        shards = 1 + len(self.state['data_streams'])
        return (200 if met else 408), {
            'cluster_name': self.settings['cluster_name'], 'status': status, 'timed_out': not met, 'number_of_nodes': len(nodes),
            'number_of_data_nodes': data_nodes, 'active_primary_shards': shards, 'active_shards': shards, 'relocating_shards': 0,
            'initializing_shards': 0, 'unassigned_shards': 0, 'unassigned_primary_shards': 0, 'delayed_unassigned_shards': 0,
            'number_of_pending_tasks': 0, 'number_of_in_flight_fetch': 0, 'task_max_waiting_in_queue_millis': 0,
            'active_shards_percent_as_number': 100.0}

    def cat_nodes(self, request):
        if request.query.get('format') != 'json':
            raise bad('stand-in: GET /_cat/nodes is served only with format=json')
        nodes = self.members()[0]
        master = min((name for name, node in nodes.items() if 'master' in node['roles']), default=None)
        return 200, [{'ip': node['ip'], 'node.role': ''.join(sorted(ROLE_LETTERS.get(role, '') for role in node['roles'])) or '-',
                      'master': '*' if name == master else '-', 'name': name} for name, node in sorted(nodes.items())]

    def nodes_local(self, request):
        info = self.node_info()
        address = '%s:%d' % (info['ip'], (self.settings['transport'] or {}).get('port', self.settings['port']))
        return 200, {'_nodes': {'total': 1, 'successful': 1, 'failed': 0}, 'cluster_name': self.settings['cluster_name'],
                     'nodes': {info['id']: {'name': self.node, 'transport_address': address, 'host': info['ip'], 'ip': info['ip'],
                                            'version': self.settings['version'], 'build_flavor': 'default',
                                            'build_type': 'stand-in', 'roles': info['roles'], 'attributes': {}}}}

    # ---- the other nodes (config mode): a TLS transport port, one line of JSON each way
    def node_info(self):
        return {'name': self.node, 'id': self.state['node_id'], 'ip': self.settings['publish_ip'],
                'roles': sorted(self.settings['roles']), 'revision': [self.state['revision'], self.state['revised_by']]}

    def shared_state(self):
        """A copy of the state that the nodes of a cluster share: everything but the node's own id."""
        return json.loads(json.dumps({key: value for key, value in self.state.items() if key != 'node_id'}))

    def adopt(self, state, sender):
        """Take the state of another node if it is newer than this node's; True if taken."""
        with self.lock:
            if [state['revision'], state['revised_by']] <= [self.state['revision'], self.state['revised_by']]:
                return False
            self.state = dict(state, node_id=self.state['node_id'])
            self.save(changed=False)
        self.log('transport: took the state of revision %d (by %s) from %s' % (state['revision'], state['revised_by'], sender))
        return True

    def transport_answer(self, message):
        """The answer to one transport message: handshake, fetch (the state) or publish (a newer state)."""
        if message.get('cluster_name') != self.settings['cluster_name']:
            return {'error': 'stand-in: node [%s] is of cluster [%s], not [%s]'
                             % (self.node, self.settings['cluster_name'], message.get('cluster_name'))}
        answer = self.node_info()
        if message.get('type') == 'fetch':
            with self.lock:
                answer['state'] = self.shared_state()
        elif message.get('type') == 'publish':
            answer['adopted'] = self.adopt(message['state'], message.get('from'))
        elif message.get('type') != 'handshake':
            return {'error': 'stand-in: unknown transport message type [%s]' % message.get('type')}
        return answer

    def dial(self, seed, message, timeout):
        """Send one message to a seed host over TLS (the transport certificate as client certificate); its answer."""
        host, port = seed
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with self.transport_client.wrap_socket(raw, server_hostname=host) as tls:
                tls.sendall(json.dumps(dict(message, cluster_name=self.settings['cluster_name'], **{'from': self.node})).encode()
                            + b'\n')
                answer = json.loads(tls.makefile('rb').readline(TRANSPORT_MAX_LINE) or b'null')
        if not isinstance(answer, dict) or 'error' in answer:
            raise ValueError(answer.get('error') if isinstance(answer, dict) else 'no answer')
        return answer

    def probe(self, message, timeout=1.0):
        """Send a message to every seed host at once; [(seed, answer or None)]. Logs when a seed starts or stops
        answering."""
        seeds = self.settings['seed_hosts']
        if not seeds or self.transport_client is None:
            return []

        def one(seed):
            try:
                answer, status = self.dial(seed, message, timeout), None
            except (OSError, ValueError) as err:
                answer, status = None, 'does not answer: %s' % (err or type(err).__name__)
            status = status or 'answers (node %s)' % answer['name']
            if self.seed_status.get(seed) != status:
                self.seed_status[seed] = status
                self.log('transport: seed host %s:%d %s' % (seed[0], seed[1], status))
            return seed, answer
        with concurrent.futures.ThreadPoolExecutor(len(seeds)) as pool:
            return list(pool.map(one, seeds))

    def catch_up(self, answers):
        """Fetch and take the newest state among the answering nodes, if it is newer than this node's."""
        newest = max((answer for seed, answer in answers if answer), key=lambda answer: answer['revision'], default=None)
        if newest and newest['revision'] > [self.state['revision'], self.state['revised_by']]:
            seed = next(seed for seed, answer in answers if answer is newest)
            try:
                self.adopt(self.dial(seed, {'type': 'fetch'}, 3)['state'], newest['name'])
            except (OSError, ValueError, KeyError) as err:
                self.log('transport: cannot fetch the state of %s: %s' % (newest['name'], err))

    def members(self):
        """({name: node info} of this node and the seed hosts that answer the handshake, health status): green when
        all seed hosts answer, yellow when at least half do, else red."""
        answers = self.probe({'type': 'handshake'})
        answered = [answer for seed, answer in answers if answer]
        nodes = {self.node: self.node_info()}
        for answer in answered:
            nodes.setdefault(answer['name'], answer)
        self.catch_up(answers)
        status = 'green' if len(answered) == len(answers) else 'yellow' if 2 * len(answered) >= len(answers) else 'red'
        return nodes, status

    def get_cluster_settings(self, request):
        flat = request.query.get('flat_settings') == 'true'
        return 200, {scope: dict(values) if flat else nest(values) for scope, values in self.state['cluster_settings'].items()}

    def put_cluster_settings(self, request):
        body = self.need_body(request)
        for key in set(body) - {'persistent', 'transient'}:
            raise parse_error('[cluster settings] unknown field [%s]' % key)
        for scope, values in body.items():
            if not isinstance(values, dict):
                raise parse_error('[%s] must be an object' % scope)
        answer = {'acknowledged': True, 'persistent': {}, 'transient': {}}
        for scope, values in body.items():
            stored = self.state['cluster_settings'][scope]
            for key, value in flatten(values).items():
                if value is None:  # null removes the setting; "prefix.*": null removes all under it
                    for name in [n for n in stored if n == key or (key.endswith('*') and simple_match(key, n))]:
                        del stored[name]
                else:
                    stored[key] = answer[scope][key] = setting_value(value)
            answer[scope] = nest(answer[scope])
        self.save()
        return 200, answer

    # ---- ILM policies
    def get_policies(self, request):
        names = request.params.get('name', '')
        if ',' in names and '*' in names:
            raise bad('wildcard only supports a single value, please use comma-separated values or a single wildcard value')
        chosen = select(names, self.state['policies'], lambda name: not_found('Lifecycle policy not found: %s' % name))
        usage, human = self.policy_usage(), request.query.get('human') == 'true'
        answer = {}
        for name in chosen:
            stored = self.state['policies'][name]
            item = {'version': stored['version'], 'modified_date': stored['modified_date']}
            if human:
                item['modified_date_string'] = iso(stored['modified_date'])
            item['policy'] = normalised_policy(stored['policy'])
            item['in_use_by'] = usage.get(name, {'indices': [], 'data_streams': [], 'composable_templates': []})
            answer[name] = item
        return 200, answer

    def put_policy(self, request):
        body = self.need_body(request)
        for key in set(body) - {'policy'}:
            raise parse_error('[put_lifecycle_request] unknown field [%s]' % key)
        if 'policy' not in body:
            raise parse_error('[put_lifecycle_request] [policy] is required')
        validate_policy(body['policy'])
        name = request.params['name']
        old = self.state['policies'].get(name)
        self.state['policies'][name] = {'version': old['version'] + 1 if old else 1, 'modified_date': now_ms(),
                                        'policy': body['policy']}
        self.save()
        return 200, {'acknowledged': True}

    def delete_policy(self, request):
        name = request.params['name']
        if name not in self.state['policies']:
            raise not_found('Lifecycle policy not found: %s' % name)
        indices = self.policy_usage().get(name, {}).get('indices')
        if indices:
            raise bad('Cannot delete policy [%s]. It is in use by one or more indices: %s' % (name, es_list(indices)))
        del self.state['policies'][name]
        self.save()
        return 200, {'acknowledged': True}

    def policy_usage(self):
        usage = {}

        def entry(policy):
            return usage.setdefault(policy, {'indices': [], 'data_streams': [], 'composable_templates': []})
        for name in sorted(self.state['index_templates']):
            policy = self.template_setting(name, 'index.lifecycle.name')
            if policy:
                entry(policy)['composable_templates'].append(name)
        for name, stream in sorted(self.state['data_streams'].items()):
            policy = self.template_setting(stream['template'], 'index.lifecycle.name')
            if policy:
                entry(policy)['data_streams'].append(name)
                entry(policy)['indices'].append(self.backing_index(name, stream))
        return usage

    # ---- index and component templates
    def template_setting(self, name, key):
        """One setting of the indices that template `name` would create: its component templates, then its own."""
        template = self.state['index_templates'].get(name, {})
        flat = {}
        for part in template.get('composed_of', []):
            flat.update(flatten(self.state['component_templates'].get(part, {}).get('template', {}).get('settings', {})))
        flat.update(flatten(template.get('template', {}).get('settings', {})))
        return flat.get(key)

    def get_templates(self, request):
        templates = self.state['index_templates']
        chosen = select(request.params.get('name'), templates, lambda name: not_found('index template matching [%s] not found' % name))
        return 200, {'index_templates': [{'name': name, 'index_template': templates[name]} for name in chosen]}

    def put_template(self, request):
        name, template = request.params['name'], index_template(self.need_body(request))
        templates = self.state['index_templates']
        if request.query.get('create') == 'true' and name in templates:
            raise bad('index template [%s] already exists' % name)
        ignored = template.get('ignore_missing_component_templates') or []
        missing = [c for c in template['composed_of'] if c not in self.state['component_templates'] and c not in ignored]
        if missing:
            raise bad('index template [%s] specifies component templates %s that do not exist' % (name, es_list(missing)),
                      'invalid_index_template_exception')
        priority = template.get('priority') or 0
        clashes = {other: body['index_patterns'] for other, body in sorted(templates.items())
                   if other != name and (body.get('priority') or 0) == priority
                   and any(patterns_overlap(a, b) for a in template['index_patterns'] for b in body['index_patterns'])}
        if clashes:
            raise bad('index template [%s] has index patterns %s matching patterns from existing templates %s with patterns (%s) '
                      'that have the same priority [%d]; give it another priority'
                      % (name, es_list(template['index_patterns']), es_list(clashes),
                         ', '.join('%s => %s' % (other, es_list(patterns)) for other, patterns in clashes.items()), priority))
        templates[name] = template
        self.save()
        return 200, {'acknowledged': True}

    def delete_template(self, request):
        name = request.params['name']
        if name not in self.state['index_templates']:
            raise not_found('index_template [%s] missing' % name)
        users = sorted(n for n, s in self.state['data_streams'].items() if s['template'] == name)
        if users:
            raise bad('unable to remove composable templates [%s] as they are in use by data streams [%s]' % (name, ', '.join(users)))
        del self.state['index_templates'][name]
        self.save()
        return 200, {'acknowledged': True}

    def get_components(self, request):
        components = self.state['component_templates']
        chosen = select(request.params['name'], components, lambda name: not_found('component template matching [%s] not found' % name))
        return 200, {'component_templates': [{'name': name, 'component_template': components[name]} for name in chosen]}

    def put_component(self, request):
        self.state['component_templates'][request.params['name']] = component_template(self.need_body(request))
        self.save()
        return 200, {'acknowledged': True}

    # ---- data streams
    @staticmethod
    def backing_index(name, stream):
        day = datetime.datetime.fromtimestamp(stream['created'] / 1000, datetime.timezone.utc).strftime('%Y.%m.%d')
        return '.ds-%s-%s-%06d' % (name, day, stream['generation'])

    def create_stream(self, name):
        if name in self.state['data_streams']:
            raise bad('data_stream [%s] already exists' % name, 'resource_already_exists_exception')
        if name != name.lower() or name[0] in '-_+.' or any(c in name for c in '\\/*?"<>| ,#:'):
            raise bad('Invalid data stream name [%s]' % name, 'invalid_index_name_exception')
        matching = [(t.get('priority') or 0, n) for n, t in self.state['index_templates'].items()
                    if any(simple_match(p, name) for p in t['index_patterns'])]
        if not matching or 'data_stream' not in self.state['index_templates'][max(matching)[1]]:
            raise bad('no matching index template with a data stream template found for data stream [%s]; '
                      'the stand-in serves data streams only' % name)
        self.state['data_streams'][name] = {'template': max(matching)[1], 'generation': 1, 'created': now_ms(), 'docs': 0,
                                            'uuid': secrets.token_urlsafe(16)[:22]}

    def stream_view(self, name, stream):
        template = self.state['index_templates'][stream['template']]
        policy = self.template_setting(stream['template'], 'index.lifecycle.name')
        managed_by = 'Index Lifecycle Management' if policy else 'Unmanaged'
        index = {'index_name': self.backing_index(name, stream), 'index_uuid': stream['uuid'], 'prefer_ilm': True,
                 'managed_by': managed_by}
        view = {'name': name, 'timestamp_field': {'name': '@timestamp'}, 'indices': [index], 'generation': stream['generation'],
                'status': 'GREEN', 'template': stream['template'], 'next_generation_managed_by': managed_by, 'prefer_ilm': True,
                'hidden': template['data_stream']['hidden'], 'system': False,
                'allow_custom_routing': template['data_stream']['allow_custom_routing'], 'replicated': False,
                'rollover_on_write': False}
        if policy:
            index['ilm_policy'] = view['ilm_policy'] = policy
        return view

    def get_streams(self, request):
        streams = self.state['data_streams']
        chosen = select(request.params.get('name'), streams, lambda name: not_found('no such index [%s]' % name, 'index_not_found_exception'))
        return 200, {'data_streams': [self.stream_view(name, streams[name]) for name in chosen]}

    def put_stream(self, request):
        self.create_stream(request.params['name'])
        self.save()
        return 200, {'acknowledged': True}

    def delete_stream(self, request):
        name = request.params['name']
        if name not in self.state['data_streams']:
            raise not_found('no such index [%s]' % name, 'index_not_found_exception')
        del self.state['data_streams'][name]
        self.save()
        return 200, {'acknowledged': True}

    def post_doc(self, request):
        self.need_body(request)
        name = request.params['name']
        if name not in self.state['data_streams']:
            self.create_stream(name)
        stream = self.state['data_streams'][name]
        stream['docs'] += 1
        self.save()
        return 201, {'_index': self.backing_index(name, stream), '_id': secrets.token_urlsafe(15), '_version': 1, 'result': 'created',
                     '_shards': {'total': 1, 'successful': 1, 'failed': 0}, '_seq_no': stream['docs'] - 1, '_primary_term': 1}

    def count_docs(self, request):
        streams = self.state['data_streams']
        chosen = select(request.params['name'], streams, lambda name: not_found('no such index [%s]' % name, 'index_not_found_exception'))
        return 200, {'count': sum(streams[name]['docs'] for name in chosen),
                     '_shards': {'total': len(chosen), 'successful': len(chosen), 'skipped': 0, 'failed': 0}}

    # ---- security: users and roles
    def user_record(self, name):
        """A user from the state (None there: deleted), else from the users file, else a reserved user."""
        if name in self.state['users']:
            return self.state['users'][name]
        if name in self.file_users:
            return self.file_users[name]
        if name in RESERVED_USERS:
            return {'roles': RESERVED_USERS[name], 'full_name': None, 'email': None, 'metadata': {}, 'enabled': True}
        return None

    def stored_user(self, name):
        """A copy of the user to keep in the state: a password from the users file becomes a salted hash."""
        record = dict(self.user_record(name) or {})
        if 'password' in record:
            record['password_hash'] = hash_password(record.pop('password'))
        return record

    @staticmethod
    def realm(name):
        return {'name': 'reserved', 'type': 'reserved'} if name in RESERVED_USERS else {'name': 'default_native', 'type': 'native'}

    @staticmethod
    def user_view(name, record):
        metadata = dict(record.get('metadata') or {}, **({'_reserved': True} if name in RESERVED_USERS else {}))
        return {'username': name, 'roles': record['roles'], 'full_name': record.get('full_name'), 'email': record.get('email'),
                'metadata': metadata, 'enabled': record.get('enabled', True)}

    def authenticate_view(self, request):
        user = request.user
        view = {k: v for k, v in user.items() if k != 'realm'}
        return 200, dict(view, authentication_realm=user['realm'], lookup_realm=user['realm'], authentication_type='realm')

    def change_password(self, request):
        name = request.params.get('name', request.user['username'])
        password = check_password(self.need_body(request))
        if self.user_record(name) is None:
            raise not_found('user [%s] does not exist' % name)
        self.state['users'][name] = dict(self.stored_user(name), password_hash=hash_password(password))
        self.save()
        return 200, {}

    def all_user_names(self):
        return set(RESERVED_USERS) | set(self.file_users) | set(self.state['users'])

    def get_users(self, request):
        known = {name for name in self.all_user_names() if self.user_record(name)}
        wanted = request.params.get('name')
        names = sorted(known) if not wanted else [n for n in wanted.split(',') if n in known]
        if wanted and not names:
            raise ESError(404, '', '', body={})
        return 200, {name: self.user_view(name, self.user_record(name)) for name in names}

    def put_user(self, request):
        name, body = request.params['name'], self.need_body(request)
        if name in RESERVED_USERS:
            raise invalid('user [%s] is reserved and only the password can be changed' % name)
        for key in sorted(set(body) - USER_FIELDS):
            raise parse_error('failed to parse add user request: unexpected field [%s]' % key)
        existing = self.user_record(name) is not None
        if not isinstance(body.get('roles'), list) or not all(isinstance(role, str) for role in body['roles']):
            raise invalid('roles are missing')
        record = self.stored_user(name) if existing else {}
        if 'password' in body:
            record['password_hash'] = hash_password(check_password(body))
        elif not existing:
            raise invalid('password must be specified unless you are updating an existing user')
        record.update(roles=body['roles'], full_name=body.get('full_name'), email=body.get('email'),
                      metadata=body.get('metadata') or {}, enabled=body.get('enabled', True))
        self.state['users'][name] = record
        self.save()
        return 200, {'created': not existing}

    def delete_user(self, request):
        name = request.params['name']
        if name in RESERVED_USERS:
            raise invalid('user [%s] is reserved and cannot be deleted' % name)
        if self.user_record(name) is None:
            raise ESError(404, '', '', body={'found': False})
        self.state['users'][name] = None
        self.save()
        return 200, {'found': True}

    @staticmethod
    def reserved_role(name):
        """A built-in role as GET _security/role lists it: metadata._reserved; only superuser's privileges are shown."""
        everything = name == 'superuser'
        return {'cluster': ['all'] if everything else [], 'indices': [{'names': ['*'], 'privileges': ['all'], 'allow_restricted_indices': False}]
                if everything else [], 'applications': [], 'run_as': ['*'] if everything else [], 'metadata': {'_reserved': True},
                'transient_metadata': {'enabled': True}}

    def get_roles(self, request):
        roles = dict({name: self.reserved_role(name) for name in RESERVED_ROLES}, **self.state['roles'])
        wanted = request.params.get('name')
        names = sorted(roles) if not wanted else [n for n in wanted.split(',') if n in roles]
        if wanted and not names:
            raise ESError(404, '', '', body={})
        return 200, {name: roles[name] for name in names}

    def put_role(self, request):
        name = request.params['name']
        if name in RESERVED_ROLES:
            raise invalid('Role [%s] is reserved and may not be used.' % name)
        created = name not in self.state['roles']
        self.state['roles'][name] = role_body(self.need_body(request))
        self.save()
        return 200, {'role': {'created': created}}

    def delete_role(self, request):
        name = request.params['name']
        if name in RESERVED_ROLES:
            raise invalid('role [%s] is reserved and cannot be deleted' % name)
        if name not in self.state['roles']:
            raise ESError(404, '', '', body={'found': False})
        del self.state['roles'][name]
        self.save()
        return 200, {'found': True}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'elasticsearch-stand-in'
    sys_version = ''
    timeout = 60

    def setup(self):
        self.request.settimeout(self.timeout)
        self.request.do_handshake()  # in this connection's thread: a slow or failing client does not hold the others
        super().setup()

    def read_body(self):
        if 'chunked' not in (self.headers.get('Transfer-Encoding') or '').lower():
            return self.rfile.read(int(self.headers.get('Content-Length') or 0))
        data = b''
        while True:
            size = int(self.rfile.readline().split(b';')[0], 16)
            if size == 0:
                while self.rfile.readline() not in (b'\r\n', b'\n', b''):  # trailer lines up to the empty line
                    pass
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    def answer(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        status, body, headers = self.server.standin.handle(self.command, url.path, query, self.headers, self.read_body())
        data = json.dumps(body, indent=2 if query.get('pretty', 'false') != 'false' else None).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_PATCH = do_OPTIONS = answer

    def log_request(self, code='-', size='-'):
        pass  # StandIn.handle logs every call

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        self.server.standin.log('%s: %s' % (self.client_address[0], format % args))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)  # without HTTPServer's reverse DNS lookup of the address
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        self.standin.log('connection from %s ended: %s' % (client_address[0], sys.exc_info()[1]))


class TransportServer(socketserver.ThreadingTCPServer):
    """The transport port of config mode: TLS, and one line of JSON each way (see StandIn.transport_answer)."""
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        self.standin.log('transport: connection from %s refused or ended: %s' % (client_address[0], sys.exc_info()[1]))


class TransportHandler(socketserver.StreamRequestHandler):
    timeout = 10

    def setup(self):
        self.request.settimeout(self.timeout)
        self.request.do_handshake()  # checks the client certificate against the transport CA
        super().setup()

    def handle(self):
        try:
            message = json.loads(self.rfile.readline(TRANSPORT_MAX_LINE) or b'null')
            answer = self.server.standin.transport_answer(message)
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            answer = {'error': 'stand-in: not a transport message: %s' % err}
        self.wfile.write(json.dumps(answer).encode() + b'\n')


def write_log(stream, node, message):
    """One log line, on stderr (command-line mode) or stdout (config mode: the journal under systemd)."""
    handle = getattr(sys, stream)
    handle.write('%s elasticsearch stand-in [%s]: %s\n' % (iso(), node, message))
    handle.flush()


def read_keystore(conf_dir):
    """{name: value} of the stand-in's keystore in conf_dir, {} when there is none (see elasticsearch-keystore here)."""
    path = os.path.join(conf_dir, KEYSTORE_FILE)
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding='utf-8') as handle:
            document = json.load(handle)
        if document.get('stand-in') != KEYSTORE_MARKER:
            raise ValueError('it has no stand-in marker')
        return {name: b64decode(value, validate=True).decode('utf-8') for name, value in document['settings'].items()}
    except (OSError, ValueError, KeyError, AttributeError) as err:
        raise ValueError('%s is not a keystore of the stand-in: %s' % (path, err)) from None


def bind_host(value):
    """A network.host value as an address to bind. _local_ is the loopback address; _site_, _global_ and interface
    names (_eth0_) bind every address, an approximation: Elasticsearch binds only the matching ones."""
    value = str(value).strip()
    if value.startswith('_local'):
        return '127.0.0.1'
    return '0.0.0.0' if value.startswith('_') else value.strip('[]')


def publish_ip(host):
    """The address that _cat/nodes and _nodes show: the bound one, or the host name's when all are bound."""
    try:
        return socket.getaddrinfo(socket.gethostname() if host in ('0.0.0.0', '::') else host, None)[0][4][0]
    except OSError:
        return '127.0.0.1'


def port_number(value, key):
    try:
        return int(str(value).split('-', maxsplit=1)[0])  # a range such as 9300-9400: its first port
    except ValueError:
        raise ValueError('%s: [%s] is not a port' % (key, value)) from None


def seed_address(entry, default_port):
    """A discovery.seed_hosts entry: host, host:port, [v6] or [v6]:port; without a port, this node's transport port."""
    if entry.startswith('['):
        host, port = entry[1:].split(']', 1) if ']' in entry else (entry[1:], '')
        port = port.lstrip(':')
    elif entry.count(':') == 1:
        host, port = entry.split(':')
    else:
        host, port = entry, ''
    return host, port_number(port, 'discovery.seed_hosts') if port else default_port


def jvm_options(conf_dir):
    """{file: [options]} of jvm.options.d/*.options, only to log them: the stand-in runs no JVM."""
    folder = os.path.join(conf_dir, 'jvm.options.d')
    found = {}
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith('.options'):
            with open(os.path.join(folder, name), encoding='utf-8') as handle:
                found[name] = [line.strip() for line in handle if line.strip() and not line.startswith('#')]
    return found


def config_settings(path):
    """The settings of config mode, from elasticsearch.yml (nested or dotted keys; unknown keys are ignored: the role
    checks them against the reference), from its directory (ES_PATH_CONF) and from the keystore there. Raises
    ValueError when the stand-in cannot serve this configuration."""
    import yaml  # pylint: disable=import-outside-toplevel  # python3-yaml, needed in config mode only
    conf_dir = os.path.dirname(os.path.abspath(path))
    try:
        with open(path, encoding='utf-8') as handle:
            document = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ValueError('cannot read it: %s' % err) from None
    if not isinstance(document, dict):
        raise ValueError('it is not a mapping of settings')
    conf = flatten(document)

    def first(*keys, default=None):
        for key in keys:
            value = conf.get(key)
            if value not in (None, '', []):
                return value[0] if isinstance(value, list) else value
        return default

    def names(key):
        value = conf.get(key) or []
        return [str(v).strip() for v in (value.split(',') if isinstance(value, str) else value) if str(v).strip()]

    if str(conf.get('xpack.security.enabled')).lower() != 'true':
        raise ValueError('xpack.security.enabled must be true: the stand-in serves only TLS and authenticated calls')
    tls = {}
    for layer in ('http', 'transport'):
        prefix = 'xpack.security.%s.ssl.' % layer
        if str(conf.get(prefix + 'enabled')).lower() != 'true':
            raise ValueError('%senabled must be true: the stand-in serves only TLS' % prefix)
        missing = [prefix + key for key in ('certificate', 'key') if not first(prefix + key)]
        if missing:
            raise ValueError('%s missing: the stand-in reads PEM files only' % ' and '.join(missing))
        tls[layer] = {'cert': os.path.join(conf_dir, str(first(prefix + 'certificate'))),
                      'key': os.path.join(conf_dir, str(first(prefix + 'key'))),
                      'cas': [os.path.join(conf_dir, ca) for ca in names(prefix + 'certificate_authorities')],
                      'client_auth': str(first(prefix + 'client_authentication', default='none' if layer == 'http' else 'required')),
                      'verification_mode': str(first(prefix + 'verification_mode', default='full'))}
        if tls[layer]['client_auth'] not in ('none', 'optional', 'required'):
            raise ValueError('%sclient_authentication: [%s] is not none, optional or required' % (prefix, tls[layer]['client_auth']))
        if tls[layer]['verification_mode'] not in ('full', 'certificate', 'none'):
            raise ValueError('%sverification_mode: [%s] is not full, certificate or none' % (prefix, tls[layer]['verification_mode']))
    http_host = bind_host(first('http.bind_host', 'http.host', 'network.bind_host', 'network.host', default='_local_'))
    transport_port = port_number(first('transport.port', default=9300), 'transport.port')
    es_home = os.environ.get('ES_HOME') or os.getcwd()  # relative paths start there, as in Elasticsearch
    keystore = read_keystore(conf_dir)
    return {'host': http_host, 'port': port_number(first('http.port', default=9200), 'http.port'),
            'cert': tls['http']['cert'], 'key': tls['http']['key'], 'client_cas': tls['http']['cas'],
            'client_auth': tls['http']['client_auth'], 'users': None,
            'calls': os.path.join(es_home, str(first('path.logs', default='logs')), 'standin-calls.jsonl'),
            'state': os.path.join(es_home, str(first('path.data', default='data')), 'standin-state.json'),
            'node_name': str(first('node.name', default=socket.gethostname())),
            'cluster_name': str(first('cluster.name', default='elasticsearch')),
            'bootstrap_password': keystore.get('bootstrap.password'), 'keystore_entries': sorted(keystore),
            'log_stream': 'stdout', 'config': os.path.abspath(path), 'publish_ip': publish_ip(http_host),
            'transport': dict(tls['transport'], port=transport_port, host=bind_host(
                first('transport.bind_host', 'transport.host', 'network.bind_host', 'network.host', default='_local_'))),
            'seed_hosts': [seed_address(entry, transport_port) for entry in names('discovery.seed_hosts')],
            'initial_master_nodes': names('cluster.initial_master_nodes'),
            'roles': names('node.roles') if 'node.roles' in conf else list(DEFAULT_NODE_ROLES),
            'jvm_options': jvm_options(conf_dir)}


def load_settings(argv=None):
    """Every setting of the stand-in as one dict: from the command line, or (--config) from the elasticsearch.yml
    that the role rendered, its directory and the keystore there. Both give the same keys."""
    parser = argparse.ArgumentParser(prog='elasticsearch_standin.py',
                                     description='Stand-in for the Elasticsearch REST API, for tests of mlops.observability. '
                                                 'Not Elasticsearch.')
    parser.add_argument('--config', metavar='ELASTICSEARCH_YML',
                        help='config mode: every setting from this file, its directory and the keystore there; '
                             'also listens on transport.port (TLS) for the other nodes')
    parser.add_argument('--listen', metavar='HOST:PORT', help='required without --config')
    parser.add_argument('--cert', help='PEM server certificate (chain); required: the stand-in serves HTTPS only')
    parser.add_argument('--key', help='PEM private key of --cert; required')
    parser.add_argument('--client-ca', help='PEM CA: clients must present a certificate that it signed')
    parser.add_argument('--users', help='JSON {"name": {"password": "...", "roles": [...]}}; required without --config')
    parser.add_argument('--calls', help='JSON-lines file that every call is appended to; required without --config')
    parser.add_argument('--state', help='JSON state file, kept across restarts; required without --config')
    parser.add_argument('--node-name')
    parser.add_argument('--cluster-name')
    parser.add_argument('--version', default='9.1.0', help='version number that GET / reports')
    parser.add_argument('-p', '--pidfile', help='write the process id to this file (as bin/elasticsearch -p)')
    parser.add_argument('-q', '--quiet', action='store_true', help='accepted like bin/elasticsearch --quiet; no effect')
    args = parser.parse_args(argv)
    common = {'version': args.version, 'pidfile': args.pidfile}
    cli_only = ('listen', 'cert', 'key', 'client_ca', 'users', 'calls', 'state', 'node_name', 'cluster_name')
    if args.config:
        given = [option for option in cli_only if getattr(args, option)]
        if given:
            parser.error('--config takes every setting from the file: --%s is not allowed with it' % given[0].replace('_', '-'))
        try:
            return dict(config_settings(args.config), **common)
        except ValueError as err:
            raise SystemExit('stand-in: %s: %s' % (args.config, err)) from None
    missing = [option for option in ('listen', 'users', 'calls', 'state') if not getattr(args, option)]
    if missing:
        parser.error('--%s: required without --config' % missing[0])
    if not args.cert or not args.key:
        parser.error('--cert and --key are required: the stand-in serves HTTPS only')
    for option in ('cert', 'key', 'client_ca', 'users'):
        if getattr(args, option) and not os.path.isfile(getattr(args, option)):
            parser.error('--%s: no such file: %s' % (option.replace('_', '-'), getattr(args, option)))
    host, port = args.listen.rsplit(':', 1) if ':' in args.listen else ('', '')
    if not host or not port.isdigit():
        parser.error('--listen takes HOST:PORT')
    return dict(common, host=host.strip('[]'), port=int(port), cert=args.cert, key=args.key,
                client_cas=[args.client_ca] if args.client_ca else [], client_auth='required' if args.client_ca else 'none',
                users=args.users, calls=args.calls, state=args.state, node_name=args.node_name or socket.gethostname(),
                cluster_name=args.cluster_name or 'elasticsearch', bootstrap_password=None, keystore_entries=[],
                log_stream='stderr', config=None, publish_ip=host.strip('[]'), transport=None, seed_hosts=[],
                initial_master_nodes=[], roles=list(DEFAULT_NODE_ROLES), jvm_options={})


def set_process_name(name=b'es-stand-in'):
    """Name the process "es-stand-in" for ps -o comm, top and pgrep (Linux prctl PR_SET_NAME, no extra module)."""
    try:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def notify_systemd(message):
    """Send a message to systemd's notify socket ($NOTIFY_SOCKET, for Type=notify; '@' starts an abstract name).
    False when there is no socket."""
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.connect('\0' + address[1:] if address.startswith('@') else address)
        sock.sendall(message.encode())
    return True


def server_context(cert, key, cas, client_auth):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    if client_auth != 'none':
        for ca in cas:
            context.load_verify_locations(ca)
        if not cas:
            context.load_default_certs(ssl.Purpose.CLIENT_AUTH)
        context.verify_mode = ssl.CERT_REQUIRED if client_auth == 'required' else ssl.CERT_OPTIONAL
    return context


def transport_contexts(transport):
    """(server, client) TLS contexts of the transport layer. Both present the transport certificate. full checks
    the chain and, when dialling, that the peer's certificate names the host dialled; certificate checks only the
    chain; none checks nothing."""
    mode = transport['verification_mode']
    server = server_context(transport['cert'], transport['key'], transport['cas'], 'none' if mode == 'none' else transport['client_auth'])
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.minimum_version = ssl.TLSVersion.TLSv1_2
    client.load_cert_chain(transport['cert'], transport['key'])
    client.check_hostname = mode == 'full'
    if mode == 'none':
        client.verify_mode = ssl.CERT_NONE
    for ca in transport['cas'] if mode != 'none' else []:
        client.load_verify_locations(ca)
    if mode != 'none' and not transport['cas']:
        client.load_default_certs()
    return server, client


def bind(server_class, host, port, handler, context):
    server_class.address_family = socket.AF_INET6 if ':' in host else socket.AF_INET
    server = server_class((host, port), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    return server


def main(argv=None):
    settings = load_settings(argv)
    if os.environ.get('ES_STANDIN_FAIL_START', '') not in ('', '0'):
        write_log(settings['log_stream'], settings['node_name'], 'stand-in: failing on purpose (ES_STANDIN_FAIL_START)')
        return 1
    set_process_name()
    transport = settings['transport']
    try:
        http_context = server_context(settings['cert'], settings['key'], settings['client_cas'], settings['client_auth'])
        transport_server_context, transport_client = transport_contexts(transport) if transport else (None, None)
    except (ssl.SSLError, OSError) as err:
        raise SystemExit('stand-in: cannot load the TLS files: %s' % err) from None
    try:
        standin = StandIn(settings)
    except OSError as err:
        raise SystemExit('stand-in: cannot use the state or users file: %s' % err) from None
    standin.transport_client = transport_client
    try:
        server = bind(Server, settings['host'], settings['port'], Handler, http_context)
        transport_server = transport and bind(TransportServer, transport['host'], transport['port'], TransportHandler,
                                              transport_server_context)
    except OSError as err:
        raise SystemExit('stand-in: cannot listen: %s' % err) from None
    server.standin = standin
    stopped_by = []
    signal.signal(signal.SIGTERM, lambda *_: (stopped_by.append('SIGTERM'), threading.Thread(target=server.shutdown).start()))
    listening = 'https://%s:%d' % (settings['host'], server.server_address[1])
    if transport_server:
        transport_server.standin = standin
        threading.Thread(target=transport_server.serve_forever, daemon=True).start()
        listening += ' and transport %s:%d (TLS, verification_mode %s)' % (
            transport['host'], transport['port'], transport['verification_mode'])
        standin.log('config %s: cluster [%s], node roles [%s], seed hosts [%s], cluster.initial_master_nodes [%s]' % (
            settings['config'], settings['cluster_name'], ','.join(settings['roles']),
            ','.join('%s:%d' % seed for seed in settings['seed_hosts']), ','.join(settings['initial_master_nodes'])))
        standin.log('keystore entries [%s]%s' % (','.join(settings['keystore_entries']), '' if settings['bootstrap_password'] is not None
                                                 else '; no bootstrap.password: elastic cannot log in until its password is set'))
        for name, options in settings['jvm_options'].items():
            standin.log('jvm.options.d/%s: %s (read, not used: the stand-in runs no JVM)' % (name, ' '.join(options)))
        standin.catch_up(standin.probe({'type': 'handshake'}))
    if settings['pidfile']:
        with open(settings['pidfile'], 'w', encoding='utf-8') as handle:
            handle.write('%d\n' % os.getpid())
    standin.log('listening on %s, version %s; a stand-in for tests, not Elasticsearch' % (listening, settings['version']))
    try:
        if notify_systemd('READY=1\nSTATUS=stand-in for Elasticsearch, listening'):
            standin.log('told systemd READY=1')
    except OSError as err:
        standin.log('cannot tell systemd READY=1: %s' % err)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if transport_server:
            transport_server.shutdown()
            transport_server.server_close()
        if settings['pidfile'] and os.path.exists(settings['pidfile']):
            os.remove(settings['pidfile'])
        standin.log('stopped%s; exit 0' % (' on ' + stopped_by[0] if stopped_by else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
