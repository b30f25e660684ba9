"""Replay one of Elastic's YAML REST tests against the Elasticsearch stand-in, to show how close its answers are.

A small runner, not Elastic's: it knows the four APIs of the ILM basic test (cluster.health, ilm.put_lifecycle,
ilm.get_lifecycle, ilm.delete_lifecycle; paths from rest-api-spec/api/*.json) and the assertions match, is_true,
is_false and length. A test that needs anything else is reported UNSUPPORTED, never passed. It runs the setup
section before each test and deletes the policies that the test created after it.

  python3 replay_rest_test.py [FILE.yml] --url https://127.0.0.1:9200 --ca ca.pem --user elastic --password ...

Prints PASS, FAIL or UNSUPPORTED per test and a last line
  stand-in replay of FILE: P passed, F failed, U unsupported of N tests
Exit status 0, also with failures, unless --strict (then 1 when a test failed); 2 when the stand-in cannot be reached.
"""
import argparse
import base64
import json
import os
import re
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

DEFAULT_FILE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'shared', 'reference',
                                             'elasticsearch', 'rest-api-spec', 'test', 'ilm', '10_basic.yml'))
# api: (method, path; a {part} left out is dropped with its slash, required parts)
APIS = {
    'cluster.health': ('GET', '/_cluster/health', ()),
    'ilm.put_lifecycle': ('PUT', '/_ilm/policy/{policy}', ('policy', 'body')),
    'ilm.get_lifecycle': ('GET', '/_ilm/policy/{policy}', ()),
    'ilm.delete_lifecycle': ('DELETE', '/_ilm/policy/{policy}', ('policy',)),
}
CATCH_STATUS = {'missing': 404, 'bad_request': 400, 'unauthorized': 401, 'forbidden': 403, 'request_timeout': 408,
                'conflict': 409, 'unavailable': 503}
MISSING = object()


class Fail(Exception):
    pass


class Unsupported(Exception):
    pass


class Client:
    def __init__(self, url, ca, user, password):
        self.url = url.rstrip('/')
        self.context = ssl.create_default_context(cafile=ca)
        self.auth = 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()

    def call(self, method, path, query=None, body=None):
        url = self.url + path + ('?' + urllib.parse.urlencode(query) if query else '')
        headers = {'Authorization': self.auth}
        data = None
        if body is not None:
            data, headers['Content-Type'] = json.dumps(body).encode(), 'application/json'
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                return response.status, json.loads(response.read() or b'null')
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b'null')


def build_request(api, params):
    """(method, path, query, body) of one API call; Fail('param: ...') when a required parameter is missing."""
    method, template, required = APIS[api]
    params = dict(params or {})
    for name in required:
        if name not in params:
            raise Fail('param: [%s] needs the parameter [%s]' % (api, name))
    body = params.pop('body', None)
    if isinstance(body, str):
        body = json.loads(body)

    def part(match):
        value = params.pop(match.group(1), None)
        return '' if value is None else '/' + urllib.parse.quote(str(value), safe=',*')
    path = re.sub(r'/\{(\w+)\}', part, template)
    query = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()}
    return method, path, query, body


def do_step(client, spec, created):
    spec = dict(spec)
    catch = spec.pop('catch', None)
    for key in ('warnings', 'allowed_warnings', 'warnings_regex', 'allowed_warnings_regex', 'headers', 'node_selector'):
        if key in spec:
            raise Unsupported('do with [%s]' % key)
    (api, params), = spec.items()
    if api not in APIS:
        raise Unsupported('API [%s]' % api)
    try:
        method, path, query, body = build_request(api, params)
    except Fail:
        if catch == 'param':
            return None
        raise
    if catch == 'param':
        raise Fail('expected a missing-parameter error, but the request was complete')
    status, response = client.call(method, path, query, body)
    if api == 'ilm.put_lifecycle' and status == 200:
        created.add(params['policy'])
    error_text = json.dumps(response.get('error')) if isinstance(response, dict) and 'error' in response else None
    if catch is None:
        if status >= 400:
            raise Fail('%s answered %d: %s' % (api, status, error_text or response))
    elif catch in CATCH_STATUS:
        if status != CATCH_STATUS[catch]:
            raise Fail('expected %d (%s), got %d: %s' % (CATCH_STATUS[catch], catch, status, error_text or response))
    elif catch == 'request':
        if status < 400:
            raise Fail('expected an error, got %d' % status)
    elif len(catch) > 2 and catch.startswith('/') and catch.endswith('/'):
        if status < 400 or error_text is None:
            raise Fail('expected an error matching %s, got %d' % (catch, status))
        if not re.search(catch[1:-1], error_text):
            raise Fail('the error does not match %s: %s' % (catch, error_text))
    else:
        raise Unsupported('catch [%s]' % catch)
    return response


def lookup(body, path):
    """The value at a dotted path of the last response ("\\." escapes a dot in a key; numbers index lists)."""
    if path in ('$body', ''):
        return body
    value = body
    for key in re.split(r'(?<!\\)\.', path):
        key = key.replace('\\.', '.')
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return MISSING
    return value


def check_match(body, path, expected):
    if isinstance(expected, str) and expected.startswith('$'):
        raise Unsupported('stashed value %s' % expected)
    actual = lookup(body, path)
    if isinstance(expected, str) and len(expected.strip()) > 2 and expected.strip().startswith('/') and expected.strip().endswith('/'):
        if actual is MISSING or not re.search(expected.strip()[1:-1], str(actual), re.VERBOSE):
            raise Fail('%s: %r does not match %s' % (path, None if actual is MISSING else actual, expected))
        return
    same = actual == expected and (isinstance(actual, bool) == isinstance(expected, bool))
    if not same:
        raise Fail('%s: expected %r, got %s' % (path, expected, 'nothing' if actual is MISSING else repr(actual)))


def truthy(value):
    return value not in (MISSING, None, False, '', 'false', 0)


def run_steps(client, steps, created, label):
    last = None
    for number, step in enumerate(steps or [], 1):
        (kind, spec), = step.items()
        detail = ', '.join(k for k in spec if k != 'catch') if isinstance(spec, dict) else spec
        what = '%s %d (%s %s)' % (label, number, kind, detail)
        try:
            if kind == 'do':
                last = do_step(client, spec, created)
            elif kind == 'match':
                for path, expected in spec.items():
                    check_match(last, path, expected)
            elif kind in ('is_true', 'is_false'):
                if truthy(lookup(last, spec)) != (kind == 'is_true'):
                    raise Fail('%s is %r' % (spec, lookup(last, spec) if lookup(last, spec) is not MISSING else 'missing'))
            elif kind == 'length':
                for path, expected in spec.items():
                    actual = lookup(last, path)
                    if not isinstance(actual, (list, dict, str)) or len(actual) != expected:
                        raise Fail('%s: expected length %s, got %s' % (path, expected, 'nothing' if actual is MISSING else len(actual)))
            else:
                raise Unsupported('a [%s] section' % kind)
        except (Fail, Unsupported) as err:
            raise type(err)('%s: %s' % (what, err)) from None


def run_test(client, setup, teardown, steps):
    created = set()
    try:
        run_steps(client, setup, created, 'setup step')
        run_steps(client, steps, created, 'step')
        run_steps(client, teardown, created, 'teardown step')
        return 'PASS', ''
    except Unsupported as err:
        return 'UNSUPPORTED', str(err)
    except Fail as err:
        return 'FAIL', str(err)
    finally:
        for policy in sorted(created):
            client.call('DELETE', '/_ilm/policy/' + urllib.parse.quote(policy, safe=''))


def main(argv=None):
    parser = argparse.ArgumentParser(description='Replay an Elasticsearch YAML REST test against the stand-in (tests only).')
    parser.add_argument('file', nargs='?', default=DEFAULT_FILE, help='YAML REST test (default: the reference ilm/10_basic.yml)')
    parser.add_argument('--url', required=True)
    parser.add_argument('--ca', required=True, help='PEM CA that signed the stand-in\'s certificate')
    parser.add_argument('--user', default='elastic')
    parser.add_argument('--password', required=True)
    parser.add_argument('--strict', action='store_true', help='exit 1 when a test failed')
    args = parser.parse_args(argv)
    with open(args.file, encoding='utf-8') as handle:
        documents = [doc for doc in yaml.safe_load_all(handle) if doc]
    sections = [item for doc in documents for item in doc.items()]
    setup = next((steps for name, steps in sections if name == 'setup'), [])
    teardown = next((steps for name, steps in sections if name == 'teardown'), [])
    tests = [(name, steps) for name, steps in sections if name not in ('setup', 'teardown')]
    client = Client(args.url, args.ca, args.user, args.password)
    counts = {'PASS': 0, 'FAIL': 0, 'UNSUPPORTED': 0}
    try:
        for name, steps in tests:
            outcome, detail = run_test(client, setup, teardown, steps)
            counts[outcome] += 1
            print('%-11s %s%s' % (outcome, name, ': ' + detail if detail else ''))
    except urllib.error.URLError as err:
        print('stand-in replay: cannot reach %s: %s' % (args.url, err.reason), file=sys.stderr)
        return 2
    print('stand-in replay of %s: %d passed, %d failed, %d unsupported of %d tests'
          % (args.file, counts['PASS'], counts['FAIL'], counts['UNSUPPORTED'], len(tests)))
    return 1 if args.strict and counts['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main())
