# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Elasticsearch objects managed many per call, on the API client: the checks of an ILM policy, the normal
form of what Elasticsearch returns, and the main() (manage) and reconcile step that the elasticsearch_* modules
share.

One call reads every object of its kind once, compares each wanted object with what was read, then writes
only the ones that differ, one request each. Elasticsearch bumps a policy's version on every PUT, so an
unchanged object must cause no request at all. Objects this collection created carry
_meta.managed_by = mlops.observability; exclusive mode removes only those, and never one still in use.
"""

from __future__ import annotations

import copy
import json
import re

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mlops.observability.plugins.module_utils.api_client import (
    API_CONNECTION_MUTUALLY_EXCLUSIVE, API_CONNECTION_REQUIRED_TOGETHER, ApiClient, ApiError, api_argument_spec,
    fail_api_error)

OWNER_KEY = 'managed_by'
OWNER = 'mlops.observability'

# ILM phases in the order they run, and the actions each allows (TimeseriesLifecycleType; the
# deprecated no-op freeze is left out on purpose)
PHASES = ('hot', 'warm', 'cold', 'frozen', 'delete')
PHASE_ACTIONS = {
    'hot': ('set_priority', 'unfollow', 'rollover', 'readonly', 'downsample', 'shrink', 'forcemerge', 'searchable_snapshot'),
    'warm': ('set_priority', 'unfollow', 'readonly', 'downsample', 'shrink', 'forcemerge', 'allocate', 'migrate'),
    'cold': ('set_priority', 'unfollow', 'readonly', 'downsample', 'searchable_snapshot', 'allocate', 'migrate'),
    'frozen': ('unfollow', 'searchable_snapshot'),
    'delete': ('wait_for_snapshot', 'delete'),
}
# the options of each action; a key of None takes a duration, of 'size' a byte size
ACTION_OPTIONS = {
    'rollover': {'max_age': 'duration', 'max_docs': 'int', 'max_size': 'size', 'max_primary_shard_size': 'size',
                 'max_primary_shard_docs': 'int', 'min_age': 'duration', 'min_docs': 'int', 'min_size': 'size',
                 'min_primary_shard_size': 'size', 'min_primary_shard_docs': 'int'},
    'set_priority': {'priority': 'int'},
    'forcemerge': {'max_num_segments': 'int', 'index_codec': 'str'},
    'shrink': {'number_of_shards': 'int', 'max_primary_shard_size': 'size', 'allow_write_after_shrink': 'bool'},
    'readonly': {}, 'unfollow': {},
    'downsample': {'fixed_interval': 'str', 'wait_timeout': 'duration'},
    'searchable_snapshot': {'snapshot_repository': 'str', 'force_merge_index': 'bool'},
    'allocate': {'number_of_replicas': 'int', 'total_shards_per_node': 'int', 'include': 'dict', 'exclude': 'dict',
                 'require': 'dict'},
    'migrate': {'enabled': 'bool'},
    'wait_for_snapshot': {'policy': 'str'},
    'delete': {'delete_searchable_snapshot': 'bool'},
}
REQUIRED_OPTIONS = {'forcemerge': ('max_num_segments',), 'downsample': ('fixed_interval',),
                    'searchable_snapshot': ('snapshot_repository',), 'wait_for_snapshot': ('policy',)}
# hot actions that ILM refuses without a rollover in hot
NEEDS_ROLLOVER = ('forcemerge', 'shrink', 'readonly', 'downsample', 'searchable_snapshot')
# what Elasticsearch fills in when an action leaves the option out, as GET returns it
ACTION_DEFAULTS = {'delete': {'delete_searchable_snapshot': True}, 'migrate': {'enabled': True}}

DURATION_RE = re.compile(r'([0-9]+)(d|h|m|s|ms|micros|nanos)')
SIZE_RE = re.compile(r'[0-9]+(b|kb|mb|gb|tb|pb)', re.IGNORECASE)
NANOS = {'nanos': 1, 'micros': 10 ** 3, 'ms': 10 ** 6, 's': 10 ** 9, 'm': 60 * 10 ** 9, 'h': 3600 * 10 ** 9,
         'd': 86400 * 10 ** 9}
# characters Elasticsearch refuses in index, template and policy names
BAD_NAME_CHARS = set(' ,"*\\<|>/?#:')


def duration_nanos(text):
    """Nanoseconds of an Elasticsearch duration such as 30d or 0ms, or None when text is not one."""
    match = DURATION_RE.fullmatch(text) if isinstance(text, str) else None
    return int(match.group(1)) * NANOS[match.group(2)] if match else None


def name_problems(name, lower=True):
    """Problems of an object name (policy, template): the characters and forms Elasticsearch refuses."""
    if not isinstance(name, str) or not name:
        return ['name: required']
    problems = []
    bad = sorted(set(name) & BAD_NAME_CHARS)
    if bad:
        problems.append('name: %r has characters Elasticsearch refuses: %s' % (name, ' '.join(repr(c) for c in bad)))
    if name[0] in '_-+' or name in ('.', '..'):
        problems.append('name: %r must not start with _, - or + nor be . or ..' % name)
    if lower and name != name.lower():
        problems.append('name: %r must be lower case' % name)
    if len(name.encode('utf-8')) > 255:
        problems.append('name: longer than 255 bytes')
    return problems


def _option_problems(where, action, options):
    if not isinstance(options, dict):
        return ['%s: must be a mapping of options ({} for none), not %r' % (where, options)]
    known = ACTION_OPTIONS[action]
    problems = ['%s: unknown option %r; known are: %s' % (where, key, ', '.join(sorted(known)) or 'none')
                for key in options if key not in known]
    problems.extend('%s: %s is required' % (where, key) for key in REQUIRED_OPTIONS.get(action, ()) if key not in options)
    for key, value in options.items():
        kind = known.get(key)
        bad = ((kind == 'duration' and duration_nanos(value) is None)
               or (kind == 'size' and not (isinstance(value, str) and SIZE_RE.fullmatch(value)))
               or (kind == 'int' and (isinstance(value, bool) or not isinstance(value, int) or value < 0))
               or (kind == 'bool' and not isinstance(value, bool))
               or (kind == 'str' and not (isinstance(value, str) and value))
               or (kind == 'dict' and not isinstance(value, dict)))
        if bad:
            problems.append('%s: %s: %r is not %s' % (where, key, value, {
                'duration': 'a duration such as 30d, 12h or 0ms', 'size': 'a byte size such as 50gb',
                'int': 'a whole number of 0 or more', 'bool': 'a boolean', 'str': 'a non-empty string',
                'dict': 'a mapping'}[kind]))
    if action == 'rollover' and not any(key.startswith('max_') for key in options):
        problems.append('%s: needs at least one max_* condition, such as max_age or max_primary_shard_size' % where)
    if action == 'shrink' and 'number_of_shards' in options and 'max_primary_shard_size' in options:
        problems.append('%s: give number_of_shards or max_primary_shard_size, not both' % where)
    return problems


def policy_problems(phases):
    """Problems of the phases of an ILM policy, as 'phases.<phase>...: reason' strings; [] when Elasticsearch
    would accept it (phase names, the actions of each phase and their options, durations, min_age in order)."""
    if not isinstance(phases, dict) or not phases:
        return ['phases: give at least one phase of %s' % ', '.join(PHASES)]
    problems, last = [], None
    for phase in [p for p in phases if p not in PHASES]:
        problems.append('phases: %r is not a phase; phases are %s' % (phase, ', '.join(PHASES)))
    for phase in [p for p in PHASES if p in phases]:
        body, where = phases[phase], 'phases.%s' % phase
        if not isinstance(body, dict) or set(body) - {'min_age', 'actions'}:
            problems.append('%s: must be a mapping with min_age and actions only' % where)
            continue
        min_age = body.get('min_age', '0ms')
        nanos = duration_nanos(min_age)
        if nanos is None:
            problems.append('%s.min_age: %r is not a duration such as 30d, 12h or 0ms' % (where, min_age))
        elif last and nanos < last[1]:
            problems.append('%s.min_age: %s is earlier than the %s phase (%s); min_age must not decrease from one phase '
                            'to the next' % (where, min_age, last[0], last[2]))
        else:
            last = (phase, nanos, min_age)
        actions = body.get('actions', {})
        if not isinstance(actions, dict):
            problems.append('%s.actions: must be a mapping of action to options' % where)
            continue
        for action, options in actions.items():
            if action not in PHASE_ACTIONS[phase]:
                allowed = [p for p in PHASES if action in PHASE_ACTIONS[p]]
                problems.append('%s.actions: %r is not allowed in the %s phase; %s' % (
                    where, action, phase, 'allowed in: %s' % ', '.join(allowed) if allowed else 'no such ILM action'))
            else:
                problems.extend(_option_problems('%s.actions.%s' % (where, action), action, options))
        if phase == 'hot' and 'rollover' not in actions:
            problems.extend('%s.actions: %s needs a rollover action in the hot phase' % (where, action)
                            for action in NEEDS_ROLLOVER if action in actions)
        if phase == 'frozen' and 'searchable_snapshot' not in actions:
            problems.append('%s.actions: the frozen phase needs a searchable_snapshot action' % where)
    return problems


def normal_phases(phases):
    """The phases as Elasticsearch returns them: min_age 0ms and actions {} when left out, action defaults filled."""
    normal = {}
    for phase, body in phases.items():
        actions = {}
        for action, options in (body.get('actions') or {}).items():
            actions[action] = dict(ACTION_DEFAULTS.get(action, {}), **(options or {}))
        normal[phase] = {'min_age': body.get('min_age', '0ms'), 'actions': actions}
    return normal


def _setting_value(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, list):
        return [_setting_value(item) for item in value]
    return value if value is None else str(value)


def nested_settings(settings):
    """Index settings as Elasticsearch returns them: dotted keys nested, under 'index', values as strings."""
    nested = {}

    def put(path, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                put(path + str(key).split('.'), inner)
            return
        node = nested
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _setting_value(value)

    for key, value in (settings or {}).items():
        path = str(key).split('.')
        put(path if path[0] == 'index' else ['index'] + path, value)
    return nested


def same(wanted, before):
    """True when before, an object as Elasticsearch returns it, is the wanted object.

    Equal values, recursively; a key that wanted leaves out may be in before only with an empty or false value
    (a default Elasticsearch fills in). Callers first give wanted the defaults that are not empty or false, so
    that a removed setting is still seen as a change. A boolean never equals a number.
    """
    if isinstance(wanted, dict) and isinstance(before, dict):
        for key in set(wanted) | set(before):
            if key not in wanted:
                if before[key] not in (None, False, {}, []):
                    return False
            elif key not in before or not same(wanted[key], before[key]):
                return False
        return True
    if isinstance(wanted, list) and isinstance(before, list):
        return len(wanted) == len(before) and all(same(w, b) for w, b in zip(wanted, before))
    return wanted == before and isinstance(wanted, bool) == isinstance(before, bool)


def owned(meta):
    return isinstance(meta, dict) and meta.get(OWNER_KEY) == OWNER


def with_owner(meta):
    """The _meta of an object this collection writes: the user's keys and the ownership mark."""
    return dict(meta or {}, **{OWNER_KEY: OWNER})


def item_problems(items, option, check_one, lower=True):
    """Every problem of the items of a list option (name, duplicates, check_one(item) for present ones),
    each prefixed with the item, so that a call can fail before its first request."""
    problems, seen = [], set()
    for index, item in enumerate(items):
        name = item.get('name')
        label = '%s[%d] %s' % (option, index, name) if name else '%s[%d]' % (option, index)
        problems.extend('%s: %s' % (label, p) for p in name_problems(name, lower))
        if name in seen:
            problems.append('%s: name: given twice' % label)
        seen.add(name)
        if item.get('state', 'present') == 'present':
            problems.extend('%s: %s' % (label, p) for p in check_one(item))
    return problems


def reconcile(module, client, path, current, wanted, items, in_use=None, envelope=None):
    """Write what differs and remove what goes; return the result keys.

    current: {name: (body as read, in the form of wanted, or None when missing, owned flag)} for every object
    of the kind; wanted: {name: body to PUT}; items: the list option, whose removals go (state=absent, or owned
    and left out in exclusive mode); in_use(names): {name: users} of the objects to remove that something still
    uses, which are kept and reported (None: nothing keeps an object); envelope: the key the API wants the PUT
    body under, if any. Nothing is written in check mode; the diff holds the changed objects only.
    """
    changed = sorted(name for name, body in wanted.items() if current.get(name, (None,))[0] is None
                     or not same(body, current[name][0]))
    gone = sorted(name for name in removals(items, current, module.params['exclusive']) if name in current)
    users = in_use(gone) if gone and in_use else {}
    kept = dict((name, users[name]) for name in gone if users.get(name))
    gone = [name for name in gone if name not in kept]
    diff = {'before': {}, 'after': {}}
    for name in changed:
        if name in current:
            diff['before'][name] = current[name][0]
        diff['after'][name] = wanted[name]
    for name in gone:
        diff['before'][name] = current[name][0]
    if not module.check_mode:
        for name in changed:
            client.put(path % name, {envelope: wanted[name]} if envelope else wanted[name])
        for name in gone:
            try:
                client.delete(path % name, allow_missing=True)
            except ApiError as error:
                if error.status != 400:
                    raise
                raise ApiError('%s was not removed: Elasticsearch refused (%s); it is probably still in use, and is '
                               'removed by a later run once nothing uses it' % (path % name, error.msg),
                               status=error.status, body=error.body) from None
    for name, what in sorted(kept.items()):
        module.warn('%s is kept: still used by %s; a later run removes it once nothing uses it' % (path % name, what))
    return dict(changed=bool(changed or gone), changed_names=changed, removed_names=gone, kept_in_use=sorted(kept),
                write_requests=len(changed) + len(gone), diff=diff)


def removals(items, current, exclusive):
    """Names to remove: state=absent items, and in exclusive mode the owned objects that no item names."""
    named = set(item['name'] for item in items)
    gone = [item['name'] for item in items if item['state'] == 'absent']
    if exclusive:
        gone.extend(name for name, (_body, mine) in current.items() if mine and name not in named)
    return gone


def item_spec(option, **item_options):
    """Argument spec of a module managing many objects: option (a list of name, state and item_options),
    exclusive, and the API connection options."""
    options = dict(name=dict(type='str', required=True),
                   state=dict(type='str', default='present', choices=['present', 'absent']))
    options.update(item_options)
    return api_argument_spec(exclusive=dict(type='bool', default=False),
                             **{option: dict(type='list', elements='dict', required=True, options=options)})


def fail_on(module, option, problems):
    """Fail with every problem of the items of a list option, if there is one; called before any write."""
    if problems:
        module.fail_json(msg='invalid %s, nothing changed: %s' % (option, '; '.join(problems)), problems=problems)


def manage(option, list_path, problems, run, **item_options):
    """The main() of a module managing many objects of one kind, on the options of item_spec(option,
    **item_options), with check mode.

    Fails with problems(items) (items: the list option) before the first request; then reads every object of the
    kind with one GET of list_path, and exits with run(module, client, items, found) (found: the answer of that
    GET, {} when empty), a reconcile result: changed_<option>, removed_<option>, kept_in_use, write_requests, the
    diff in diff mode, and an invocation that gives the length of the list option instead of echoing it (a
    thousand objects are megabytes that ansible parses and stores again). An ApiError fails the module.
    """
    module = AnsibleModule(argument_spec=item_spec(option, **item_options),
                           mutually_exclusive=API_CONNECTION_MUTUALLY_EXCLUSIVE,
                           required_together=API_CONNECTION_REQUIRED_TOGETHER, supports_check_mode=True)
    items = module.params[option]
    fail_on(module, option, problems(items))
    try:
        client = ApiClient.from_module(module)
        result = run(module, client, items, client.get(list_path) or {})
    except ApiError as error:
        fail_api_error(module, error)
    diff = result.pop('diff')
    result['changed_' + option] = result.pop('changed_names')
    result['removed_' + option] = result.pop('removed_names')
    params = copy.deepcopy(module.params)
    params[option] = '%d %s (not echoed)' % (len(params[option] or []), option)
    result['invocation'] = dict(module_args=params)
    if module._diff:
        result['diff'] = diff
    module.exit_json(**result)


# ---- security: users and roles (elasticsearch_user, elasticsearch_role)

def security_problems(item):
    """Problems of a user or role that item_problems does not check: a name of printable ASCII characters other
    than % (it goes into the URL path as it is), and metadata keys not starting with _ (Elasticsearch keeps those)."""
    problems = []
    name = item.get('name') or ''
    if '%' in name or any(not 32 < ord(char) < 127 for char in name):
        problems.append('name: %r: use printable ASCII characters other than %%' % name)
    problems.extend('metadata: key %r: keys starting with _ are reserved by Elasticsearch' % key
                    for key in sorted(item.get('metadata') or {}, key=str) if str(key).startswith('_'))
    return problems


def reserved(body):
    """True for a built-in (reserved) user or role, as GET /_security/user or /_security/role returns it."""
    meta = body.get('metadata') if isinstance(body, dict) else None
    return isinstance(meta, dict) and meta.get('_reserved') is True


def security_current(found, keys):
    """The current argument of reconcile from the answer of GET /_security/user or /_security/role: the keys the
    module compares, and the ownership mark in metadata; a reserved object is never owned."""
    return dict((name, (dict((key, value) for key, value in body.items() if key in keys),
                        owned(body.get('metadata')) and not reserved(body))) for name, body in found.items())


def parsed_query(query):
    """A role's document level security query as a mapping, from a mapping or from its JSON text (the form in
    which Elasticsearch returns it); None when it is neither."""
    if isinstance(query, str):
        try:
            query = json.loads(query)
        except ValueError:
            return None
    return query if isinstance(query, dict) else None


def role_index_entry(entry):
    """An indices entry of a role to PUT, in the form read_role gives what Elasticsearch returns: options left out
    dropped, the query as a mapping, and no empty field_security.except."""
    body = dict((key, value) for key, value in entry.items() if value is not None)
    if 'query' in body:
        body['query'] = parsed_query(body['query'])
    if 'field_security' in body and not body['field_security'].get('except'):
        body['field_security'] = dict((key, value) for key, value in body['field_security'].items() if key != 'except')
    return body


def read_role(role):
    """A role as GET /_security/role returns it, with the query of each indices entry parsed (Elasticsearch returns
    it as JSON text)."""
    indices = []
    for entry in role.get('indices') or []:
        query = parsed_query(entry.get('query'))
        indices.append(dict(entry, query=query) if query is not None else entry)
    return dict(role, indices=indices) if indices else role
