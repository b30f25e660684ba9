"""Kibana stand-in: a small HTTPS server for tests of mlops.observability. It is NOT Kibana.

It answers only the data view calls of the kibana_data_view module (list, get, create, update, delete under
/api/data_views), over TLS and basic auth, refuses a write without the kbn-xsrf header with HTTP 400 as Kibana
does, and appends every call it receives to a JSON-lines file, so that a test can count the writes. Data views
live in memory only. Request and answer shapes follow Kibana's data views API documentation; the answers carry
only the attributes the module reads, plus a few empty ones. Python 3.11 standard library only.

Run: python3 kibana_standin.py --listen 127.0.0.1:5601 --cert http.pem --key http.key --users users.json \
         --calls calls.jsonl
users.json: {"name": "password", ...}; every user may do everything.
"""
import argparse
import copy
import datetime
import hmac
import json
import re
import ssl
import sys
import threading
import urllib.parse
from base64 import b64decode, b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = 'kibana stand-in'
WRITES = ('POST', 'PUT', 'DELETE', 'PATCH')
# the attributes of a data view that create and update accept (Kibana's request schemas); others get a 400
CREATE_KEYS = {'id', 'version', 'title', 'name', 'type', 'typeMeta', 'timeFieldName', 'sourceFilters', 'fields',
               'fieldFormats', 'fieldAttrs', 'runtimeFieldMap', 'allowNoIndex', 'namespaces', 'allowHidden'}
UPDATE_KEYS = {'title', 'name', 'timeFieldName', 'sourceFilters', 'fieldFormats', 'type', 'typeMeta', 'fields',
               'runtimeFieldMap', 'allowNoIndex'}
ONE = re.compile(r'/api/data_views/data_view/(?P<id>[^/]+)')


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds')


class KibanaError(Exception):
    """An error answered in Kibana's shape: {"statusCode", "error", "message"}."""
    REASONS = {400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error'}

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.body = {'statusCode': status, 'error': self.REASONS[status], 'message': message}


class StandIn:
    def __init__(self, users, calls):
        self.users = users
        self.calls = calls
        self.views = {}
        self.serial = 0
        self.lock = threading.Lock()

    @staticmethod
    def log(message):
        sys.stderr.write('%s %s: %s\n' % (now(), NAME, message))
        sys.stderr.flush()

    def handle(self, method, path, headers, raw):
        """(status, answer) of one call, which is recorded and logged whatever its outcome."""
        entry = {'ts': now(), 'method': method, 'path': path, 'user': None, 'xsrf': 'kbn-xsrf' in headers,
                 'status': None, 'body': None}
        with self.lock:
            try:
                entry['user'] = self.authenticate(headers.get('Authorization'))
                if method in WRITES and not entry['xsrf']:
                    raise KibanaError(400, 'Request must contain a kbn-xsrf header.')
                body = self.parse(raw)
                entry['body'] = body
                status, answer = self.route(method, path, body)
            except KibanaError as error:
                status, answer = error.status, error.body
            except Exception as error:  # pylint: disable=broad-except
                status, answer = 500, KibanaError(500, 'stand-in internal error: %r' % error).body
            entry['status'] = status
            with open(self.calls, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps(entry, sort_keys=True) + '\n')
        self.log('%s %s -> %d (user %s)' % (method, path, status, entry['user']))
        return status, answer

    def authenticate(self, header):
        if not header or not header.startswith('Basic '):
            raise KibanaError(401, 'stand-in: basic authentication credentials are required')
        try:
            name, password = b64decode(header[6:], validate=True).decode('utf-8').split(':', 1)
        except ValueError:
            raise KibanaError(401, 'stand-in: invalid basic authentication header') from None
        if name not in self.users or not hmac.compare_digest(self.users[name].encode(), password.encode()):
            raise KibanaError(401, '[security_exception]: unable to authenticate user [%s] (stand-in)' % name)
        return name

    @staticmethod
    def parse(raw):
        if not raw.strip():
            return None
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise KibanaError(400, '[request body]: not valid JSON: %s' % error) from None
        if not isinstance(body, dict):
            raise KibanaError(400, '[request body]: expected a plain object value')
        return body

    def route(self, method, path, body):
        match = ONE.fullmatch(path)
        view_id = urllib.parse.unquote(match.group('id')) if match else None
        if (method, path) == ('GET', '/api/data_views'):
            return 200, {'data_view': [self.list_entry(self.views[view_id]) for view_id in sorted(self.views)]}
        if (method, path) == ('POST', '/api/data_views/data_view'):
            return self.create(body)
        if match and method == 'GET':
            return 200, {'data_view': copy.deepcopy(self.existing(view_id))}
        if match and method == 'POST':
            return self.update(self.existing(view_id), body)
        if match and method == 'DELETE':
            self.existing(view_id)
            del self.views[view_id]
            return 200, None
        raise KibanaError(404, 'Not Found')

    def existing(self, view_id):
        if view_id not in self.views:
            raise KibanaError(404, 'Saved object [index-pattern/%s] not found' % view_id)
        return self.views[view_id]

    @staticmethod
    def list_entry(view):
        """A data view as the list gives it: without its time field."""
        return dict((key, view[key]) for key in ('id', 'title', 'name', 'namespaces', 'type', 'typeMeta') if key in view)

    @staticmethod
    def data_view(body, keys):
        spec = (body or {}).get('data_view')
        if not isinstance(spec, dict):
            raise KibanaError(400, '[request body.data_view]: expected a plain object value, but found [%s] instead.'
                              % type(spec).__name__)
        unknown = sorted(set(spec) - keys)
        if unknown:
            raise KibanaError(400, '[request body.data_view.%s]: definition for this key is missing' % unknown[0])
        for key in ('title', 'name', 'timeFieldName', 'id'):
            if key in spec and not isinstance(spec[key], str):
                raise KibanaError(400, '[request body.data_view.%s]: expected value of type [string]' % key)
        return spec

    def next_version(self):
        self.serial += 1
        return b64encode(json.dumps([self.serial, 1]).encode()).decode()

    def create(self, body):
        spec = self.data_view(body, CREATE_KEYS)
        if not spec.get('title'):
            raise KibanaError(400, '[request body.data_view.title]: expected value of type [string] but got [undefined]')
        view_id = spec.get('id') or 'stand-in-%d' % (self.serial + 1)
        if view_id in self.views:
            raise KibanaError(409, 'Saved object [index-pattern/%s] conflict' % view_id)
        name = spec.get('name') or spec['title']
        if any((view.get('name') or view['title']) == name for view in self.views.values()):
            raise KibanaError(409, 'Duplicate data view: %s' % name)
        view = {'sourceFilters': [], 'fields': {}, 'typeMeta': {}, 'fieldFormats': {}, 'fieldAttrs': {},
                'runtimeFieldMap': {}, 'allowNoIndex': False, 'namespaces': ['default'], 'name': ''}
        view.update(spec)
        view.update(id=view_id, version=self.next_version())
        self.views[view_id] = view
        return 200, {'data_view': copy.deepcopy(view)}

    def update(self, view, body):
        spec = self.data_view(body, UPDATE_KEYS)
        view.update(spec)
        view['version'] = self.next_version()
        return 200, {'data_view': copy.deepcopy(view)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'kibana-stand-in'
    sys_version = ''

    timeout = 30

    def setup(self):
        self.request.settimeout(self.timeout)
        self.request.do_handshake()  # in this connection's thread: a failing client does not hold the others
        super().setup()

    def answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length else b''
        status, body = self.server.standin.handle(self.command, urllib.parse.urlsplit(self.path).path, self.headers, raw)
        data = b'' if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        if status == 401:
            self.send_header('WWW-Authenticate', 'Basic realm="kibana stand-in"')
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        self.server.standin.log('%s: %s' % (self.client_address[0], format % args))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        self.standin.log('connection from %s ended: %s' % (client_address[0], sys.exc_info()[1]))


def main(argv=None):
    parser = argparse.ArgumentParser(description='Kibana stand-in for tests of mlops.observability; not Kibana')
    parser.add_argument('--listen', required=True, help='host:port')
    parser.add_argument('--cert', required=True)
    parser.add_argument('--key', required=True)
    parser.add_argument('--users', required=True, help='JSON file {"name": "password"}')
    parser.add_argument('--calls', required=True, help='JSON-lines file every call is appended to')
    args = parser.parse_args(argv)
    host, port = args.listen.rsplit(':', 1)
    with open(args.users, encoding='utf-8') as handle:
        users = json.load(handle)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)
    server = Server((host, int(port)), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.standin = StandIn(users, args.calls)
    server.standin.log('listening on https://%s:%d; a stand-in for tests, not Kibana' % (host, server.server_address[1]))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
