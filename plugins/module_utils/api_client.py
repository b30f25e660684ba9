# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""JSON client for the HTTP APIs of Elasticsearch, Kibana and Grafana, on ansible.module_utils.urls.

A module that manages an object through one of these APIs takes the connection options of
API_CONNECTION_SPEC (documented by the doc fragment mlops.observability.api_connection) and follows
one pattern: read -> compare -> write only what differs -> diff, and no write in check mode::

    from ansible.module_utils.basic import AnsibleModule
    from ansible_collections.mlops.observability.plugins.module_utils.api_client import (
        API_CONNECTION_MUTUALLY_EXCLUSIVE, API_CONNECTION_REQUIRED_TOGETHER, ApiClient, ApiError,
        api_argument_spec, compare, fail_api_error)

    def run(module):
        client = ApiClient.from_module(module)
        path = '/_security/role/%s' % module.params['name']
        before = client.get(path, allow_missing=True)          # read: None when it does not exist
        wanted = {'cluster': module.params['cluster']}
        changed, diff = compare(before, wanted)                # compare only the keys the module manages
        if changed and not module.check_mode:                  # no write in check mode
            client.put(path, wanted)                           # or diff['after'] where the API takes a partial update
        return dict(changed=changed, diff=diff)

    def main():
        module = AnsibleModule(argument_spec=api_argument_spec(name=dict(type='str', required=True),
                                                               cluster=dict(type='list', elements='str')),
                               mutually_exclusive=API_CONNECTION_MUTUALLY_EXCLUSIVE,
                               required_together=API_CONNECTION_REQUIRED_TOGETHER,
                               supports_check_mode=True)
        try:
            result = run(module)
        except ApiError as error:
            fail_api_error(module, error)
        module.exit_json(**result)

Every failure, HTTP or network, is raised as ApiError with a message that says what went wrong and what to
check; fail_api_error turns it into module.fail_json. Connection refused and HTTP 502/503/504 are tried again,
O(retries) times, waiting retry_delay, then twice as long each time; nothing else is retried.
"""

from __future__ import annotations

import copy
import json
import os
import socket
import ssl
import time
from http.client import HTTPException
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit

from ansible.module_utils.common.text.converters import to_native, to_text
from ansible.module_utils.urls import Request, make_context


API_CONNECTION_SPEC = dict(
    url=dict(type='str', required=True),
    validate_certs=dict(type='bool', default=True),
    ca_path=dict(type='path'),
    client_cert=dict(type='path'),
    client_key=dict(type='path', no_log=False),
    url_username=dict(type='str'),
    url_password=dict(type='str', no_log=True),
    api_key=dict(type='str', no_log=True),
    token=dict(type='str', no_log=True),
    timeout=dict(type='int', default=30),
    retries=dict(type='int', default=3),
)
API_CONNECTION_MUTUALLY_EXCLUSIVE = [['url_username', 'api_key', 'token']]
API_CONNECTION_REQUIRED_TOGETHER = [['url_username', 'url_password']]

RETRY_STATUSES = (502, 503, 504)
# OpenSSL verify codes meaning "no CA given to the client signed this certificate chain"
_UNKNOWN_CA_CODES = (2, 18, 19, 20, 21)
_HOSTNAME_MISMATCH_CODE = 62


class ApiError(Exception):
    """The one error of this client: msg is meant for the user; status and body are those of the HTTP answer, if any."""

    def __init__(self, msg, status=None, body=None):
        super().__init__(msg)
        self.msg = msg
        self.status = status
        self.body = body


def fail_api_error(module, error):
    """module.fail_json with the message of an ApiError, and its HTTP status and body when there was an answer."""
    extra = {}
    if error.status is not None:
        extra.update(status=error.status, body=error.body)
    module.fail_json(msg=error.msg, **extra)


def api_argument_spec(**module_options):
    """A copy of API_CONNECTION_SPEC with the module's own options added."""
    spec = copy.deepcopy(API_CONNECTION_SPEC)
    spec.update(module_options)
    return spec


def _reason(body):
    """The error text of an answer: Elasticsearch's error.reason, Kibana's and Grafana's message, or the text."""
    if isinstance(body, dict):
        error = body.get('error')
        if isinstance(error, dict) and error.get('reason'):
            return to_text(error['reason'])
        for key in ('message', 'error'):
            if isinstance(body.get(key), str) and body[key]:
                return body[key]
        return json.dumps(body, sort_keys=True)[:300]
    return to_text(body or '').strip()[:300]


class ApiClient:
    def __init__(self, url, validate_certs=True, ca_path=None, client_cert=None, client_key=None,
                 url_username=None, url_password=None, api_key=None, token=None, timeout=30, retries=3,
                 retry_delay=0.5, headers=None):
        parts = urlsplit(url or '')
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise ApiError('url %r is not an http:// or https:// URL with a host' % (url,))
        if parts.username or parts.password:
            raise ApiError('url must not hold credentials: give them as url_username and url_password')
        if len([auth for auth in (url_username, api_key, token) if auth]) > 1:
            raise ApiError('url_username, api_key and token are mutually exclusive: give one way to log in')
        if bool(url_username) != bool(url_password):
            raise ApiError('url_username and url_password go together: give both or neither')
        if client_key and not client_cert:
            raise ApiError('client_key needs client_cert')
        for option, path in (('ca_path', ca_path), ('client_cert', client_cert), ('client_key', client_key)):
            if path and not os.access(path, os.R_OK):
                raise ApiError('%s %s: %s' % (option, path, 'not readable' if os.path.exists(path) else 'no such file'))
        self.url = url.rstrip('/')
        try:
            port = parts.port or (443 if parts.scheme == 'https' else 80)
        except ValueError:
            raise ApiError('url %r has an invalid port' % (url,)) from None
        self.address = '%s:%d' % (parts.hostname, port)
        self.ca_path = ca_path
        self.url_username = url_username
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.retry_delay = retry_delay
        self.auth = 'basic' if url_username else 'api_key' if api_key else 'token' if token else None
        base_headers = {'Accept': 'application/json'}
        base_headers.update(headers or {})
        if api_key:
            base_headers['Authorization'] = 'ApiKey %s' % api_key
        elif token:
            base_headers['Authorization'] = 'Bearer %s' % token
        try:
            context = make_context(cafile=ca_path, validate_certs=validate_certs, client_cert=client_cert,
                                   client_key=client_key)
        except (ssl.SSLError, OSError) as error:
            files = ', '.join('%s %s' % item for item in (('ca_path', ca_path), ('client_cert', client_cert),
                                                          ('client_key', client_key)) if item[1])
            raise ApiError('cannot load the TLS files (%s): %s' % (files or 'system trust store', to_native(error))) from None
        self._request = Request(headers=base_headers, timeout=timeout, url_username=url_username,
                                url_password=url_password, force_basic_auth=bool(url_username),
                                http_agent='mlops.observability', use_netrc=False, context=context)

    @classmethod
    def from_module(cls, module, **kwargs):
        """A client from the API_CONNECTION_SPEC options of an AnsibleModule; kwargs such as headers are passed on."""
        options = dict((name, module.params.get(name)) for name in API_CONNECTION_SPEC)
        options.update(kwargs)
        return cls(**options)

    def get(self, path, query=None, allow_missing=False):
        """The parsed JSON answer, or None when allow_missing and the object does not exist (404)."""
        return self.request('GET', path, query=query, allow_missing=allow_missing)[1]

    def put(self, path, data=None, query=None):
        return self.request('PUT', path, data=data, query=query)[1]

    def post(self, path, data=None, query=None):
        return self.request('POST', path, data=data, query=query)[1]

    def delete(self, path, query=None, allow_missing=False):
        """allow_missing makes a 404 (already gone) return None instead of failing."""
        return self.request('DELETE', path, query=query, allow_missing=allow_missing)[1]

    def request(self, method, path, data=None, query=None, allow_missing=False):
        """(status, parsed JSON or None); data is sent as JSON. allow_missing: a 404 gives (404, None)."""
        url = '%s/%s' % (self.url, path.lstrip('/'))
        if query:
            url += '?' + urlencode(query)
        headers = {}
        body = None
        if data is not None:
            body = json.dumps(data)
            headers['Content-Type'] = 'application/json'
        where = '%s %s' % (method, url)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._request.open(method, url, data=body, headers=headers)
                return response.getcode(), self._parse(response.read(), where)
            except HTTPError as error:
                answer = self._parse_error_body(error)
                if error.code == 404 and allow_missing:
                    return 404, None
                if error.code in RETRY_STATUSES and attempt <= self.retries:
                    self._wait(attempt)
                    continue
                raise ApiError(self._http_message(error.code, answer, where, attempt), status=error.code, body=answer)
            except URLError as error:
                reason = error.reason
                if isinstance(reason, ConnectionRefusedError) and attempt <= self.retries:
                    self._wait(attempt)
                    continue
                raise ApiError(self._network_message(reason, where, attempt))
            except (OSError, HTTPException) as error:  # raised while reading the answer
                raise ApiError(self._network_message(error, where, attempt))

    def _wait(self, attempt):
        time.sleep(self.retry_delay * 2 ** (attempt - 1))

    @staticmethod
    def _parse(raw, where):
        text = to_text(raw, errors='surrogate_or_replace').strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ApiError('%s answered with a body that is not JSON: %s' % (where, text[:200])) from None

    @staticmethod
    def _parse_error_body(error):
        try:
            raw = error.read()
        except (OSError, HTTPException):  # the body of an error answer is only a help: it may be missing or cut
            return None
        text = to_text(raw, errors='surrogate_or_replace').strip()
        try:
            return json.loads(text) if text else None
        except ValueError:
            return text

    def _http_message(self, status, body, where, attempt):
        reason = _reason(body)
        detail = ': %s' % reason if reason else ''
        if status == 401:
            if self.auth == 'basic':
                return 'HTTP 401 from %s: the server refused the credentials of user %r; check url_username and url_password' % (
                    where, self.url_username)
            if self.auth:
                return 'HTTP 401 from %s: the server refused the %s; check it is valid and not expired' % (
                    where, 'API key (api_key)' if self.auth == 'api_key' else 'token')
            return 'HTTP 401 from %s: the server needs credentials: give url_username and url_password, api_key or token' % where
        if status == 403:
            who = {'basic': 'user %r' % self.url_username, 'api_key': 'the API key', 'token': 'the token'}.get(self.auth, 'an anonymous user')
            return 'HTTP 403 from %s: %s lacks a privilege this request needs%s' % (where, who, detail)
        if status == 404:
            return 'HTTP 404 from %s: not found; check url and the object name%s' % (where, detail)
        if status == 409:
            return 'HTTP 409 from %s: conflict with the current state of the object (changed meanwhile, or it exists)%s' % (
                where, detail)
        if status in RETRY_STATUSES and attempt > 1:
            return 'HTTP %d from %s, still after %d attempts: the service is unavailable%s' % (status, where, attempt, detail)
        return 'HTTP %d from %s%s' % (status, where, detail)

    def _network_message(self, reason, where, attempt):
        if isinstance(reason, ssl.SSLCertVerificationError):
            check = getattr(reason, 'verify_message', None) or to_native(reason)
            code = getattr(reason, 'verify_code', None)
            if code == _HOSTNAME_MISMATCH_CODE:
                hint = 'the certificate is not issued for the host name in url'
            elif code in _UNKNOWN_CA_CODES and self.ca_path:
                hint = 'the CA in ca_path %s does not match the CA that signed the server certificate' % self.ca_path
            elif code in _UNKNOWN_CA_CODES:
                hint = "no CA of the system's trust store signed the server certificate: set ca_path to the CA file"
            else:
                hint = 'the server certificate is not valid'
            return 'TLS certificate check failed for %s (%s): %s (%s)' % (self.address, where, hint, check)
        if isinstance(reason, ssl.SSLError):
            return ('TLS error with %s (%s): %s; check that the server speaks HTTPS there, and whether it wants a client '
                    'certificate (client_cert)' % (self.address, where, to_native(reason)))
        if isinstance(reason, ConnectionRefusedError):
            tries = ' after %d attempts' % attempt if attempt > 1 else ''
            return 'connection refused by %s%s (%s): is the service running and listening there?' % (self.address, tries, where)
        if isinstance(reason, socket.timeout):
            return 'timeout: %s gave no answer within %s s (%s)' % (self.address, self.timeout, where)
        return 'connection to %s failed (%s): %s' % (self.address, where, to_native(reason) or type(reason).__name__)


def _differences(before, wanted):
    """None when wanted is within before, else (old, new): the parts of each that differ."""
    if isinstance(before, dict) and isinstance(wanted, dict):
        old, new = {}, {}
        for key, value in wanted.items():
            if key not in before:
                new[key] = value
                continue
            part = _differences(before[key], value)
            if part is not None:
                old[key], new[key] = part
        return (old, new) if new else None
    if isinstance(before, list) and isinstance(wanted, list) and len(before) == len(wanted):
        if all(_differences(one, other) is None for one, other in zip(before, wanted)):
            return None
        return before, wanted
    if before == wanted and isinstance(before, bool) == isinstance(wanted, bool):
        return None
    return before, wanted


def compare(before, wanted):
    """(changed, diff) of an object as read (before, None when missing) and the wanted settings.

    Only the keys of wanted count, recursively: keys the API returns and wanted does not name are left out.
    Lists are compared item by item, in order, each item the same way. Values compare by equality, except
    that a boolean never equals a number. diff is {'before': ..., 'after': ...} holding only what differs,
    so diff['after'] is also what a partial update has to send.
    """
    if before is None:
        return True, {'before': {}, 'after': copy.deepcopy(wanted)}
    part = _differences(before, wanted)
    if part is None:
        return False, {'before': {}, 'after': {}}
    return True, {'before': copy.deepcopy(part[0]), 'after': copy.deepcopy(part[1])}
