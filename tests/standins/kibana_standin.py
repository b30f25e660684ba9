"""Kibana stand-in: a small HTTPS server for tests of mlops.observability. It is NOT Kibana.

It answers the data view calls of the kibana_data_view module (list, get, create, update, delete under
/api/data_views), GET /api/status, and GET /api/standin/encryption_keys (stand-in only: sha256 digests of the
three encryption keys), over TLS and basic auth. It refuses a write without the kbn-xsrf header with HTTP 400 as
Kibana does, and appends every call it receives to a JSON-lines file, so that a test can count the writes.
Request and answer shapes follow Kibana's API documentation; the answers carry only the attributes the module
reads, plus a few empty ones. It never contacts Elasticsearch. Python 3.11 standard library; python3-yaml in
config mode.

Run: python3 kibana_standin.py --listen 127.0.0.1:5601 --cert http.pem --key http.key --users users.json \
         --calls calls.jsonl
     (command-line mode: data views in memory, log on stderr)
 or: python3 kibana_standin.py --config /etc/kibana/kibana.yml
     (config mode, what the stand-in package runs: settings from kibana.yml and the keystore beside it, users from
     standin-users.json there, data views and calls kept in path.data, log on stdout)
users.json and standin-users.json: {"name": "password", ...}; every user may do everything.
"""
import argparse
import copy
import ctypes
import datetime
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import ssl
import sys
import tempfile
import threading
import urllib.parse
import uuid
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
KEYSTORE_FILE = 'kibana.keystore'
KEYSTORE_MARKER = 'keystore of the Kibana stand-in (tests of mlops.observability); not a Kibana keystore'
VIEWS_MARKER = 'data views of the Kibana stand-in (tests of mlops.observability); Kibana keeps them in Elasticsearch'
USERS_FILE = 'standin-users.json'  # stand-in only: replaces the Elasticsearch realm that Kibana would ask
ENCRYPTION_KEYS = ('xpack.security.encryptionKey', 'xpack.encryptedSavedObjects.encryptionKey', 'xpack.reporting.encryptionKey')
LOG = {'stream': 'stderr'}  # config mode: stdout (the journal under systemd)


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='milliseconds')


def log(message):
    handle = getattr(sys, LOG['stream'])
    handle.write('%s %s: %s\n' % (now(), NAME, message))
    handle.flush()


class KibanaError(Exception):
    """An error answered in Kibana's shape: {"statusCode", "error", "message"}."""
    REASONS = {400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error'}

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.body = {'statusCode': status, 'error': self.REASONS[status], 'message': message}


class StandIn:
    """settings: users (file), calls (file), views_file (None: in memory), name, uuid, version, key_digests."""
    log = staticmethod(log)

    def __init__(self, settings):
        self.settings = settings
        self.calls = settings['calls']
        self.views = {}
        self.serial = 0
        self.lock = threading.Lock()
        if settings['views_file'] and os.path.exists(settings['views_file']):
            with open(settings['views_file'], encoding='utf-8') as handle:
                saved = json.load(handle)
            self.views, self.serial = saved['data_views'], saved['serial']

    def users(self):
        """{name: password}, read at every login, so that a test may write the file after the start."""
        try:
            with open(self.settings['users'], encoding='utf-8') as handle:
                users = json.load(handle)
        except (OSError, ValueError) as err:
            self.log('no user can log in: cannot read %s: %s' % (self.settings['users'], err))
            return {}
        return users if isinstance(users, dict) else {}

    def save_views(self):
        replace_file(self.settings['views_file'], json.dumps(
            {'stand-in': VIEWS_MARKER, 'serial': self.serial, 'data_views': self.views}, indent=1, sort_keys=True), 0o640)

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
            if method in WRITES and status == 200 and self.settings['views_file']:
                self.save_views()
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
        users = self.users()
        if name not in users or not hmac.compare_digest(str(users[name]).encode(), password.encode()):
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
        if (method, path) == ('GET', '/api/status'):
            return 200, {'name': self.settings['name'], 'uuid': self.settings['uuid'],
                         'version': {'number': self.settings['version'], 'build_flavor': 'stand-in'},
                         'status': {'overall': {'level': 'available', 'summary': 'stand-in for Kibana; not Kibana'}}}
        if (method, path) == ('GET', '/api/standin/encryption_keys'):  # stand-in only; Kibana has no such API
            return 200, dict(self.settings['key_digests'])
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


def replace_file(path, text, new_mode):
    """Write text to path through a temporary file beside it and a rename. The old file's owner, group and mode are
    kept; a new file gets new_mode (and, as any new file, the group of a setgid directory)."""
    old = os.stat(path) if os.path.exists(path) else None
    fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix='.%s.' % os.path.basename(path))
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as handle:
            handle.write(text + '\n')
            handle.flush()
            os.fchmod(fd, old.st_mode & 0o7777 if old else new_mode)
            new = os.fstat(fd)
            if old and (old.st_uid, old.st_gid) != (new.st_uid, new.st_gid):
                os.fchown(fd, old.st_uid, old.st_gid)
            os.fsync(fd)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def read_keystore(conf_dir):
    """{name: value} of the stand-in keystore in conf_dir (see kibana-keystore here), {} when there is none."""
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


def write_keystore(conf_dir, settings):
    document = {'stand-in': KEYSTORE_MARKER, 'format': 1,
                'settings': {name: b64encode(value.encode('utf-8')).decode() for name, value in sorted(settings.items())}}
    replace_file(os.path.join(conf_dir, KEYSTORE_FILE), json.dumps(document, indent=1), 0o660)


def flatten(obj, prefix=''):
    flat = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            flat.update(flatten(value, prefix + str(key) + '.'))
        else:
            flat[prefix + str(key)] = value
    return flat


def config_settings(path):
    """The settings of config mode: kibana.yml (nested or dotted keys), overridden by the keystore beside it (its
    entries are setting names, as in Kibana). Raises ValueError, naming the setting, for what the stand-in refuses.
    Returns the settings and the notes to log."""
    import yaml  # pylint: disable=import-outside-toplevel  # python3-yaml, needed in config mode only
    conf_dir = os.path.dirname(os.path.abspath(path))
    try:
        with open(path, encoding='utf-8') as handle:
            document = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ValueError('%s: cannot read it: %s' % (path, err)) from None
    if not isinstance(document, dict):
        raise ValueError('%s: not a mapping of settings' % path)
    conf = flatten(document)
    keystore = read_keystore(conf_dir)
    conf.update(keystore)
    notes = ['config %s, KBN_PATH_CONF %s, keystore entries [%s]' % (path, conf_dir, ','.join(sorted(keystore)))]

    def get(key, default=None):
        return default if conf.get(key) in (None, '') else conf[key]

    def listed(key, default=()):
        value = get(key, list(default))
        if isinstance(value, str):
            value = json.loads(value) if value.startswith('[') else value.split(',')
        return [str(item).strip() for item in value if str(item).strip()]

    def readable(key, files):
        for name in files:
            try:
                ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(name)
            except (OSError, ssl.SSLError) as err:
                raise ValueError('%s: cannot read %s as PEM certificates: %s' % (key, name, err)) from None

    if str(get('server.ssl.enabled', False)).lower() != 'true':
        raise ValueError('server.ssl.enabled must be true: the stand-in serves TLS only')
    if not get('server.ssl.certificate') or not get('server.ssl.key'):
        raise ValueError('server.ssl.certificate and server.ssl.key are required (PEM files; no server.ssl.keystore.path)')
    readable('server.ssl.certificateAuthorities', listed('server.ssl.certificateAuthorities'))
    hosts = listed('elasticsearch.hosts', ['http://localhost:9200'])  # Kibana's default
    for host in hosts:
        if not host.startswith('https://'):
            raise ValueError('elasticsearch.hosts: [%s] is not https://; the stand-in accepts only TLS to Elasticsearch' % host)
    cas = listed('elasticsearch.ssl.certificateAuthorities')
    if not cas:
        raise ValueError('elasticsearch.ssl.certificateAuthorities is required by the stand-in (the CA of Elasticsearch)')
    readable('elasticsearch.ssl.certificateAuthorities', cas)
    mode = str(get('elasticsearch.ssl.verificationMode', 'full'))
    if mode not in ('full', 'certificate'):
        raise ValueError('elasticsearch.ssl.verificationMode: [%s] refused: the stand-in accepts full or certificate' % mode)
    username, token = get('elasticsearch.username'), get('elasticsearch.serviceAccountToken')
    if username is not None and token is not None:
        raise ValueError('elasticsearch.serviceAccountToken cannot be set together with elasticsearch.username')
    if username is None and token is None:
        raise ValueError('elasticsearch.username and elasticsearch.password, or elasticsearch.serviceAccountToken, are required')
    if str(username) == 'elastic':
        raise ValueError('elasticsearch.username: [elastic] is refused, as Kibana 8 and later refuse this superuser: use '
                         'kibana_system, or elasticsearch.serviceAccountToken')
    if username is not None and get('elasticsearch.password') is None:
        raise ValueError('elasticsearch.password is required with elasticsearch.username')
    digests = {}
    for key in ENCRYPTION_KEYS:
        value = get(key)
        if value is not None and len(str(value)) < 32:
            raise ValueError('%s must be at least 32 characters long (it has %d)' % (key, len(str(value))))
        digests[key] = None if value is None else hashlib.sha256(str(value).encode('utf-8')).hexdigest()
        if value is None:
            notes.append('warning: %s is not set' % key)
    data = os.path.join(os.environ.get('KBN_HOME') or os.getcwd(), str(get('path.data', '/var/lib/kibana')))
    if not os.path.isdir(data) or not os.access(data, os.W_OK):
        raise ValueError('path.data: %s is not a writable directory' % data)
    try:
        port = int(get('server.port', 5601))
    except ValueError:
        raise ValueError('server.port: [%s] is not a port' % get('server.port')) from None
    notes.append('elasticsearch.hosts [%s] (verificationMode %s, authenticated by %s): checked, never contacted' % (
        ','.join(hosts), mode, 'service account token' if token is not None else 'user %s' % username))
    notes.append('server.publicBaseUrl: %s' % get('server.publicBaseUrl', '(not set)'))
    if any(key.startswith('logging.') for key in conf):
        notes.append('logging.*: ignored (the stand-in logs to stdout)')
    users = os.path.join(conf_dir, USERS_FILE)
    if not os.path.exists(users):
        notes.append('no %s yet: nobody can log in until it is written' % users)
    return {'host': str(get('server.host', 'localhost')), 'port': port, 'cert': str(get('server.ssl.certificate')),
            'key': str(get('server.ssl.key')), 'users': users, 'calls': os.path.join(data, 'standin-calls.jsonl'),
            'views_file': os.path.join(data, 'standin-data-views.json'), 'data': data,
            'name': str(get('server.name', socket.gethostname())), 'key_digests': digests}, notes


def instance_uuid(data):
    """The uuid kept in path.data (a file named uuid, as Kibana's), made at the first start."""
    path = os.path.join(data, 'uuid')
    if not os.path.exists(path):
        replace_file(path, str(uuid.uuid4()), 0o640)
    with open(path, encoding='utf-8') as handle:
        return handle.read().strip()


def set_process_name(name=b'kbn-stand-in'):
    """Name the process for ps -o comm and pgrep (Linux prctl PR_SET_NAME)."""
    try:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description='Kibana stand-in for tests of mlops.observability; not Kibana')
    parser.add_argument('--config', metavar='KIBANA_YML', help='config mode: every setting from this file and the '
                        'keystore in its directory (KBN_PATH_CONF); what the stand-in package runs')
    parser.add_argument('--listen', help='host:port (required without --config)')
    parser.add_argument('--cert')
    parser.add_argument('--key')
    parser.add_argument('--users', help='JSON file {"name": "password"}')
    parser.add_argument('--calls', help='JSON-lines file every call is appended to')
    parser.add_argument('--kibana-version', default='9.1.0', help='the version number that GET /api/status reports')
    args = parser.parse_args(argv)
    cli_only = ('listen', 'cert', 'key', 'users', 'calls')
    set_process_name()
    if args.config:
        LOG['stream'] = 'stdout'
        if any(getattr(args, option) for option in cli_only):
            parser.error('--config takes every setting from the file: no --%s' % ', --'.join(cli_only))
        try:
            settings, notes = config_settings(args.config)
            settings['uuid'] = instance_uuid(settings['data'])
        except (ValueError, OSError) as err:
            log('refusing to start: %s; exit 1' % err)
            return 1
    else:
        missing = [option for option in cli_only if not getattr(args, option)]
        if missing:
            parser.error('--%s is required without --config' % missing[0])
        host, port = args.listen.rsplit(':', 1)
        settings, notes = {'host': host, 'port': int(port), 'cert': args.cert, 'key': args.key, 'users': args.users,
                           'calls': args.calls, 'views_file': None, 'name': socket.gethostname(),
                           'uuid': str(uuid.uuid4()), 'key_digests': dict.fromkeys(ENCRYPTION_KEYS)}, []
    settings['version'] = args.kibana_version
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(settings['cert'], settings['key'])
        standin = StandIn(settings)
        Server.address_family = socket.AF_INET6 if ':' in settings['host'] else socket.AF_INET
        server = Server((settings['host'], settings['port']), Handler)
    except (OSError, ValueError, KeyError) as err:
        log('cannot start: %s; exit 1' % err)
        return 1
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.standin = standin
    stopped_by = []
    signal.signal(signal.SIGTERM, lambda *_: (stopped_by.append('SIGTERM'), threading.Thread(target=server.shutdown).start()))
    for note in notes:
        log(note)
    log('listening on https://%s:%d, version %s, %d data views; a stand-in for tests, not Kibana; it does not contact '
        'Elasticsearch' % (settings['host'], server.server_address[1], settings['version'], len(standin.views)))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    log('stopped%s; exit 0' % (' on ' + stopped_by[0] if stopped_by else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
