# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pki role's certificate requests: their checks and the paths of what each one installs."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError

FORMATS = ('pem', 'pkcs8', 'pkcs12')
_SERVICE = re.compile(r'[a-z0-9][a-z0-9_.-]{0,63}\Z')
_ACCOUNT = re.compile(r'[a-z_][a-z0-9_-]{0,31}\Z')
_SAN = re.compile(r'(DNS:[A-Za-z0-9*_.-]+|IP:[0-9A-Fa-f:.]+)\Z')


def pki_request_problems(requests):
    """Return what is wrong with a list of requests, one sentence each; an empty list when nothing is."""
    if not isinstance(requests, list):
        return ['pki_requests: a list of requests is expected, got %s' % type(requests).__name__]
    problems, seen = [], set()
    for index, request in enumerate(requests):
        if not isinstance(request, dict):
            problems.append('pki_requests[%d]: a dict is expected' % index)
            continue
        service = request.get('service')
        where = 'pki_requests[%d] (%s)' % (index, service)
        if not isinstance(service, str) or not _SERVICE.match(service):
            problems.append('%s: service must be lower-case letters, digits, ".", "_" or "-", at most 64, '
                            'as it names the files' % where)
        elif service in seen:
            problems.append('%s: the service is requested twice' % where)
        seen.add(service)
        for key in ('owner', 'group'):
            value = request.get(key)
            if value is not None and not (isinstance(value, str) and _ACCOUNT.match(value)):
                problems.append('%s: %s %r is not a user or group name' % (where, key, value))
        formats = request.get('formats', ['pem'])
        unknown = [f for f in formats if f not in FORMATS] if isinstance(formats, list) else [formats]
        if unknown or not formats:
            problems.append('%s: formats must be a non-empty list of %s, got %r' % (where, ', '.join(FORMATS), formats))
        elif 'pkcs12' in formats and not request.get('pkcs12_password'):
            problems.append('%s: the pkcs12 format needs pkcs12_password (from the vault)' % where)
        bad_sans = [s for s in request.get('sans', []) if not (isinstance(s, str) and _SAN.match(s))]
        if bad_sans:
            problems.append('%s: sans %r are not DNS:name or IP:address' % (where, bad_sans))
    return problems


def pki_request_files(requests, base_dir):
    """Map each request's service to the host paths of what the pki role installs for it."""
    problems = pki_request_problems(requests)
    if problems:
        raise AnsibleFilterError('; '.join(problems))
    files = {}
    for request in requests:
        service = request['service']
        directory = '%s/%s' % (base_dir.rstrip('/'), service)
        formats = request.get('formats', ['pem'])
        paths = {'dir': directory, 'ca_file': directory + '/ca.crt', 'cert_file': '%s/%s.crt' % (directory, service)}
        if 'pem' in formats:
            paths['key_file'] = '%s/%s.key' % (directory, service)
        if 'pkcs8' in formats:
            paths['pkcs8_file'] = '%s/%s.pkcs8.key' % (directory, service)
        if 'pkcs12' in formats:
            paths['pkcs12_file'] = '%s/%s.p12' % (directory, service)
        files[service] = paths
    return files


class FilterModule:
    def filters(self):
        return {'pki_request_problems': pki_request_problems, 'pki_request_files': pki_request_files}
