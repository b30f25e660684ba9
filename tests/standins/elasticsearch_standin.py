"""Elasticsearch stand-in: a small HTTPS server for tests of mlops.observability. It is NOT Elasticsearch.

It answers only the REST calls that the collection's roles and modules make (cluster health and settings, ILM
policies, index and component templates, data streams, security users and roles), over TLS and basic auth, and
appends every call it receives to a JSON-lines file, so that a test can assert what was sent and in which order.
Request and response shapes follow Elastic's REST API spec and examples; README.md in this directory lists the
sources and what the stand-in leaves out. Python 3.11 standard library only.

Run: python3 elasticsearch_standin.py --listen 127.0.0.1:9200 --cert http.pem --key http.key \
         --users users.json --calls calls.jsonl --state state.json
"""
import argparse
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
USER_FIELDS = {'password', 'password_hash', 'roles', 'full_name', 'email', 'metadata', 'enabled'}
ROLE_FIELDS = {'cluster', 'indices', 'applications', 'run_as', 'metadata', 'global', 'remote_indices', 'remote_cluster',
               'description', 'transient_metadata'}
TEMPLATE_FIELDS = {'index_patterns', 'template', 'composed_of', 'priority', 'version', '_meta', 'data_stream',
                   'allow_auto_create', 'ignore_missing_component_templates', 'deprecated'}

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
        self.file_users = self.load_users(settings['users'])
        self.state = self.load_state()
        self.routes = [(set(methods.split('|')), re.compile(pattern), action, getattr(self, handler)) for methods, pattern, action, handler in (
            ('GET', r'/', 'cluster:monitor/main', 'root'),
            ('GET', r'/_cluster/health', 'cluster:monitor/health', 'cluster_health'),
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
        sys.stderr.write('%s elasticsearch stand-in [%s]: %s\n' % (iso(), self.node, message))
        sys.stderr.flush()

    @staticmethod
    def load_users(path):
        with open(path, encoding='utf-8') as handle:
            users = json.load(handle)
        records = {}
        for name, user in users.items():
            if not isinstance(user, dict) or not isinstance(user.get('password'), str):
                raise SystemExit('stand-in: users file %s: user [%s] needs a "password" string' % (path, name))
            roles = RESERVED_USERS.get(name, user.get('roles', []))
            records[name] = {'password': user['password'], 'roles': roles, 'full_name': None, 'email': None, 'metadata': {},
                             'enabled': True}
        return records

    def load_state(self):
        path = self.settings['state']
        if os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                state = json.load(handle)
            state['cluster_settings']['transient'] = {}  # transient settings do not survive a restart
            return state
        state = {'note': 'state of the Elasticsearch stand-in (tests of mlops.observability); not Elasticsearch data',
                 'cluster_uuid': secrets.token_urlsafe(16)[:22], 'users': {}, 'roles': {}, 'data_streams': {},
                 'cluster_settings': {'persistent': {}, 'transient': {}},
                 'policies': {name: {'version': 1, 'modified_date': now_ms(), 'policy': policy} for name, policy in BUILTIN_POLICIES.items()},
                 'component_templates': {name: component_template(body) for name, body in BUILTIN_COMPONENTS.items()},
                 'index_templates': {name: index_template(body) for name, body in BUILTIN_TEMPLATES.items()}}
        self.state = state
        self.save()
        return state

    def save(self):
        """Write the state atomically: a temporary file in the same directory, then a rename."""
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
        with self.lock:
            try:
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
                status, answer = handler(request)
            except ESError as err:
                status, answer = err.status, err.body
                if status == 401:
                    extra_headers.append(('WWW-Authenticate', WWW_AUTHENTICATE))
            except Exception as err:  # pylint: disable=broad-except
                self.log('internal error on %s %s: %s' % (method, path, traceback.format_exc().replace('\n', ' | ')))
                status, answer = 500, ESError(500, 'stand_in_internal_error', 'stand-in internal error: %s' % err).body
            entry['status'] = status
            self.record(entry)
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
        """Superusers may do anything; other users may read, and change their own password."""
        if 'superuser' in user['roles'] or method in ('GET', 'HEAD'):
            return
        if handler == self.change_password and params.get('name', user['username']) == user['username']:
            return
        raise ESError(403, 'security_exception', 'action [%s] is unauthorized for user [%s] with effective roles [%s]; '
                      'the stand-in grants it to superusers only' % (action, user['username'], ','.join(user['roles'])))

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
        query, timed_out = request.query, False
        if query.get('wait_for_status', 'green') not in ('green', 'yellow', 'red'):
            raise bad('unknown cluster health status [%s]' % query['wait_for_status'])
        if 'timeout' in query:
            parse_duration(query['timeout'], 'timeout')
        if query.get('wait_for_nodes'):
            match = re.fullmatch(r'(>=|<=|>|<|ge|le|gt|lt)?\(?(\d+)\)?', query['wait_for_nodes'].strip())
            if not match:
                raise bad('cannot parse wait_for_nodes [%s]' % query['wait_for_nodes'])
            how = {'>=': 'ge', '<=': 'le', '>': 'gt', '<': 'lt'}.get(match.group(1), match.group(1) or 'eq')
            # a one-node stand-in never gets more nodes: it answers the timeout at once
            timed_out = not getattr(operator, how)(1, int(match.group(2)))
        shards = 1 + len(self.state['data_streams'])
        return (408 if timed_out else 200), {
            'cluster_name': self.settings['cluster_name'], 'status': 'green', 'timed_out': timed_out, 'number_of_nodes': 1,
            'number_of_data_nodes': 1, 'active_primary_shards': shards, 'active_shards': shards, 'relocating_shards': 0,
            'initializing_shards': 0, 'unassigned_shards': 0, 'unassigned_primary_shards': 0, 'delayed_unassigned_shards': 0,
            'number_of_pending_tasks': 0, 'number_of_in_flight_fetch': 0, 'task_max_waiting_in_queue_millis': 0,
            'active_shards_percent_as_number': 100.0}

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

    def get_roles(self, request):
        roles, wanted = self.state['roles'], request.params.get('name')
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


def load_settings(argv=None):
    """Every setting of the stand-in as one dict. Today they come from the command line; another source (the
    elasticsearch.yml that the role renders) can be added here later and give the same keys."""
    parser = argparse.ArgumentParser(prog='elasticsearch_standin.py',
                                     description='Stand-in for the Elasticsearch REST API, for tests of mlops.observability. '
                                                 'Not Elasticsearch.')
    parser.add_argument('--listen', required=True, metavar='HOST:PORT')
    parser.add_argument('--cert', help='PEM server certificate (chain); required: the stand-in serves HTTPS only')
    parser.add_argument('--key', help='PEM private key of --cert; required')
    parser.add_argument('--client-ca', help='PEM CA: clients must present a certificate that it signed')
    parser.add_argument('--users', required=True, help='JSON {"name": {"password": "...", "roles": [...]}}')
    parser.add_argument('--calls', required=True, help='JSON-lines file that every call is appended to')
    parser.add_argument('--state', required=True, help='JSON state file, kept across restarts')
    parser.add_argument('--node-name', default=socket.gethostname())
    parser.add_argument('--cluster-name', default='elasticsearch')
    parser.add_argument('--version', default='9.1.0', help='version number that GET / reports')
    args = parser.parse_args(argv)
    if not args.cert or not args.key:
        parser.error('--cert and --key are required: the stand-in serves HTTPS only')
    for option in ('cert', 'key', 'client_ca', 'users'):
        if getattr(args, option) and not os.path.isfile(getattr(args, option)):
            parser.error('--%s: no such file: %s' % (option.replace('_', '-'), getattr(args, option)))
    host, port = args.listen.rsplit(':', 1) if ':' in args.listen else ('', '')
    if not host or not port.isdigit():
        parser.error('--listen takes HOST:PORT')
    return {'host': host.strip('[]'), 'port': int(port), 'cert': args.cert, 'key': args.key, 'client_ca': args.client_ca,
            'users': args.users, 'calls': args.calls, 'state': args.state, 'node_name': args.node_name,
            'cluster_name': args.cluster_name, 'version': args.version}


def set_process_name(name=b'es-stand-in'):
    """Name the process "es-stand-in" for ps -o comm, top and pgrep (Linux prctl PR_SET_NAME, no extra module)."""
    try:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def main(argv=None):
    settings = load_settings(argv)
    set_process_name()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(settings['cert'], settings['key'])
        if settings['client_ca']:
            context.load_verify_locations(settings['client_ca'])
            context.verify_mode = ssl.CERT_REQUIRED
    except ssl.SSLError as err:
        raise SystemExit('stand-in: cannot load the TLS files: %s' % err) from None
    standin = StandIn(settings)
    if ':' in settings['host']:
        Server.address_family = socket.AF_INET6
    server = Server((settings['host'], settings['port']), Handler)
    server.standin = standin
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    standin.log('listening on https://%s:%d, version %s; a stand-in for tests, not Elasticsearch'
                % (settings['host'], server.server_address[1], settings['version']))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        standin.log('stopped')


if __name__ == '__main__':
    main()
