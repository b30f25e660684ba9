"""Filebeat stand-in, for tests of mlops.observability. It is NOT Filebeat: it reads, ships and keeps no log line,
and keeps no registry of them. It checks filebeat.yml and its input files like Filebeat's own checks, as far as the
collection needs (file permissions, setting names, one output, filestream inputs with unique ids), and in run mode
serves a part of Filebeat's HTTP endpoint: which inputs run and which files their globs match now. It re-reads the
inputs directory when filebeat.config.inputs.reload.enabled is true. See README.md beside it.
"""
import argparse
import ctypes
import datetime
import glob
import hashlib
import json
import os
import re
import signal
import socket
import socketserver
import stat
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

HERE = os.path.dirname(os.path.realpath(__file__))

# Setting names, from memory of Elastic's filebeat.reference.yml (a subset; not checked against Filebeat 9). A name
# is known when it is in an EXACT set or starts with one of the PREFIXES; values of the EXACT names are not descended
# into (fields, processors, tags...).
TOP_EXACT = {'filebeat.inputs', 'filebeat.shutdown_timeout', 'filebeat.config.inputs.enabled', 'filebeat.config.inputs.path',
             'filebeat.config.inputs.reload.enabled', 'filebeat.config.inputs.reload.period', 'name', 'tags', 'fields',
             'fields_under_root', 'processors', 'max_procs', 'path.home', 'path.config', 'path.data', 'path.logs'}
TOP_PREFIXES = ('filebeat.registry.', 'output.logstash.', 'output.elasticsearch.', 'output.console.', 'output.file.',
                'logging.', 'http.', 'queue.', 'setup.', 'monitoring.', 'seccomp.')
# Filebeat's logstash output, from memory of Elastic's documentation of it
LOGSTASH_KEYS = set('''enabled hosts loadbalance worker compression_level escape_html ttl pipelining proxy_url
    proxy_use_local_resolver index timeout max_retries bulk_max_size slow_start backoff.init backoff.max ssl.enabled
    ssl.certificate_authorities ssl.certificate ssl.key ssl.key_passphrase ssl.verification_mode ssl.supported_protocols
    ssl.cipher_suites ssl.curve_types ssl.ca_trusted_fingerprint'''.split())
# the filestream input, from memory of Elastic's documentation of it (Filebeat 8.x/9.x)
INPUT_EXACT = set('''type id enabled paths parsers clean_inactive clean_removed ignore_older ignore_inactive
    harvester_limit fields fields_under_root tags processors take_over exclude_lines include_lines encoding
    message_max_bytes buffer_size pipeline index keep_null prospector.scanner.check_interval
    prospector.scanner.exclude_files prospector.scanner.include_files prospector.scanner.symlinks
    prospector.scanner.recursive_glob'''.split())
INPUT_PREFIXES = ('prospector.scanner.fingerprint.', 'file_identity.', 'close.', 'take_over.', 'backoff.')
PARSERS = {'ndjson': {'target', 'overwrite_keys', 'add_error_key', 'expand_keys', 'message_key', 'document_id',
                      'ignore_decoding_error'},
           'multiline': {'type', 'pattern', 'negate', 'match', 'flush_pattern', 'max_lines', 'timeout', 'count_lines',
                         'skip_newline'},
           'syslog': {'format', 'timezone', 'log_errors', 'add_error_key'}}
# the kinds of the values that the stand-in checks, by setting name (top-level, output.logstash or input)
KINDS = dict({name: bool for name in ('enabled', 'loadbalance', 'slow_start', 'escape_html', 'proxy_use_local_resolver',
                                      'ssl.enabled', 'fields_under_root', 'clean_removed', 'keep_null', 'http.enabled',
                                      'filebeat.config.inputs.enabled', 'filebeat.config.inputs.reload.enabled')},
             **{name: int for name in ('worker', 'pipelining', 'bulk_max_size', 'harvester_limit', 'http.port')},
             **{name: 'duration' for name in ('ttl', 'timeout', 'backoff.init', 'backoff.max', 'clean_inactive',
                                              'prospector.scanner.check_interval', 'ignore_older',
                                              'filebeat.config.inputs.reload.period')},
             compression_level=tuple(range(10)), **{'ssl.verification_mode': ('full', 'strict', 'certificate', 'none')})
GO_DURATION = re.compile(r'(?:(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h))+')
UNITS = {'ns': 1e-9, 'us': 1e-6, 'µs': 1e-6, 'ms': 1e-3, 's': 1, 'm': 60, 'h': 3600}
VARIABLE = re.compile(r'\$\{([^}:]+)(?::([^}]*))?\}')
HOST_PORT = re.compile(r'(?:\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+)(?::(\d{1,5}))?')


class Invalid(Exception):
    """A configuration the stand-in refuses."""


# ---------------------------------------------------------------- log lines, process name, version
LOG = {'stream': sys.stdout}


def log(level, message):
    """One line, always: a multi-line message (a YAML error) is joined."""
    now = datetime.datetime.now().astimezone().isoformat(timespec='milliseconds')
    message = re.sub(r'\s*\n\s*', ' ', str(message).strip())
    LOG['stream'].write('%s\t%s\t[filebeat stand-in]\t%s\n' % (now, level, message))
    LOG['stream'].flush()


def set_process_name(name=b'fb-stand-in'):
    """ps -o comm, top and pgrep show "fb-stand-in" (Linux prctl PR_SET_NAME)."""
    try:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def standin_version():
    try:
        with open(os.path.join(HERE, 'VERSION'), encoding='utf-8') as handle:  # written by build-elastic-debs.sh
            return handle.read().strip()
    except OSError:
        return '9.1.0'


def go_bool(text):
    """Go's strconv.ParseBool, which the real command line uses."""
    if text not in '1 t T true TRUE True 0 f F false FALSE False'.split():
        raise argparse.ArgumentTypeError('invalid boolean value %r' % text)
    return text in '1 t T true TRUE True'.split()


# ---------------------------------------------------------------- settings: names, values, files
def flatten(node, exact, prefixes, prefix=''):
    """{dotted name: value} of a mapping with nested or dotted keys; stops at the EXACT names that no prefix extends."""
    flat = {}
    for key, value in node.items():
        full = prefix + str(key)
        deeper = any(p.startswith(full + '.') or full.startswith(p) for p in prefixes) or \
            any(e.startswith(full + '.') for e in exact)
        if isinstance(value, dict) and value and deeper:
            flat.update(flatten(value, exact, prefixes, full + '.'))
        else:
            flat[full] = value
    return flat


def unknown(flat, exact, prefixes):
    return sorted(k for k in flat if k not in exact and not any(k.startswith(p) or k + '.' == p for p in prefixes))


def expand(value, lookup):
    """value with every ${name} or ${name:default} replaced, as Filebeat's config loader does (settings, then env)."""
    if isinstance(value, list):
        return [expand(item, lookup) for item in value]
    if isinstance(value, dict):
        return {key: expand(item, lookup) for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def one(match):
        found = lookup(match.group(1))
        if found is None and match.group(2) is None:
            raise Invalid('missing field accessing "%s" (it is neither a setting nor an environment variable)' % match.group(1))
        return str(found) if found is not None else match.group(2)
    return VARIABLE.sub(one, value)


def seconds(value, name):
    """A Go duration (1s, 1m30s, 500ms) or a number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str) and GO_DURATION.fullmatch(value):
        return sum(float(n) * UNITS[u] for n, u in re.findall(r'(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)', value))
    raise Invalid('%s: "%s" is not a duration such as 10s or 1m30s' % (name, value))


def check_values(flat, where=''):
    """The values of the settings in KINDS: booleans, whole numbers from 0, durations and choices."""
    for name, value in flat.items():
        kind = KINDS.get(name)
        if kind == 'duration':
            seconds(value, where + name)
        elif kind is bool and not isinstance(value, bool):
            raise Invalid('%s%s must be true or false, not "%s"' % (where, name, value))
        elif kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise Invalid('%s%s must be a whole number, not "%s"' % (where, name, value))
        elif isinstance(kind, tuple) and value not in kind:
            raise Invalid('%s%s must be one of %s, not "%s"' % (where, name, ', '.join(map(str, kind)), value))


def str_list(flat, name):
    value = flat.get(name)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise Invalid('%s must be a non-empty list of strings, not %s' % (name, json.dumps(value)))
    return value


def check_perms(path, strict):
    """Filebeat's strict.perms: owned by root or the user running it, and writable by the owner only."""
    info = os.stat(path)
    if not strict:
        return
    if info.st_uid not in (0, os.geteuid()):
        raise Invalid('config file ("%s") must be owned by the user identifier (uid=%d) or root' % (path, os.geteuid()))
    if info.st_mode & 0o022:
        raise Invalid('config file ("%s") can only be writable by the owner but the permissions are "%s" (to fix the '
                      'permissions use: \'chmod go-w %s\')' % (path, stat.filemode(info.st_mode), path))


def load_yaml(path, strict):
    try:
        check_perms(path, strict)
        with open(path, encoding='utf-8') as handle:
            return yaml.safe_load(handle)
    except OSError as err:
        raise Invalid('cannot read %s: %s' % (path, err.strerror)) from None
    except yaml.YAMLError as err:
        raise Invalid('%s: not valid YAML: %s' % (path, err)) from None


# ---------------------------------------------------------------- the checks
def check_output(flat):
    """The one enabled output; the logstash output's options are checked."""
    names = sorted({key.split('.')[1] for key in flat if key.startswith('output.')})
    enabled = [name for name in names if flat.get('output.%s.enabled' % name, True) is not False]
    if len(enabled) != 1:
        raise Invalid('exactly one output must be enabled, found %s' % (', '.join('output.' + n for n in enabled) or 'none'))
    if enabled[0] != 'logstash':
        return enabled[0]
    logstash = {key[len('output.logstash.'):]: value for key, value in flat.items() if key.startswith('output.logstash.')}
    extra = sorted(set(logstash) - LOGSTASH_KEYS)
    if extra:
        raise Invalid('output.logstash: unknown setting "%s"' % extra[0])
    for host in str_list(logstash, 'hosts'):
        match = HOST_PORT.fullmatch(host)
        if not match or (match.group(1) and not 0 < int(match.group(1)) < 65536):
            raise Invalid('output.logstash hosts: "%s" is not host:port' % host)
    check_values(logstash, 'output.logstash ')
    for protocol in str_list(logstash, 'ssl.supported_protocols') if 'ssl.supported_protocols' in logstash else ():
        if protocol not in ('TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'):
            raise Invalid('output.logstash ssl.supported_protocols: unknown protocol "%s"' % protocol)
    if 'ssl.certificate_authorities' in logstash:
        str_list(logstash, 'ssl.certificate_authorities')
    if ('ssl.certificate' in logstash) != ('ssl.key' in logstash):
        raise Invalid('output.logstash: ssl.certificate and ssl.key go together (client authentication needs both)')
    return 'logstash'


def ssl_files(flat, config_dir):
    """[(setting, path)] of the logstash output's TLS files, when TLS is on; inline PEM is skipped."""
    if not any(k.startswith('output.logstash.ssl.') for k in flat) or flat.get('output.logstash.ssl.enabled') is False:
        return []
    files = [('ssl.certificate_authorities', ca) for ca in flat.get('output.logstash.ssl.certificate_authorities') or []]
    files += [(name, flat['output.logstash.' + name]) for name in ('ssl.certificate', 'ssl.key') if 'output.logstash.' + name in flat]
    return [(name, os.path.join(config_dir, path)) for name, path in files if not path.lstrip().startswith('-----BEGIN')]


def check_input(entry, where):
    """One input of filebeat.inputs or of an inputs file: the stand-in supports filestream only."""
    if not isinstance(entry, dict):
        raise Invalid('%s: an input must be a mapping, not %s' % (where, json.dumps(entry)))
    if entry.get('type') != 'filestream':
        raise Invalid('%s: input type "%s": the stand-in supports filestream only' % (where, entry.get('type')))
    flat = flatten(entry, INPUT_EXACT, INPUT_PREFIXES)
    extra = unknown(flat, INPUT_EXACT, INPUT_PREFIXES)
    if extra:
        raise Invalid('%s: unknown setting "%s" for a filestream input' % (where, extra[0]))
    if not isinstance(flat.get('id'), str) or not flat['id']:
        raise Invalid('%s: a filestream input needs an id (Filebeat 9 requires a unique id for every filestream input)' % where)
    str_list(flat, 'paths')
    check_values(flat, where + ': ')
    for parser in flat.get('parsers') or []:
        if not (isinstance(parser, dict) and len(parser) == 1 and next(iter(parser)) in PARSERS):
            raise Invalid('%s: each parser must be one of %s with its options, not %s' % (where, ', '.join(PARSERS), json.dumps(parser)))
        (name, options), = parser.items()
        extra = sorted(set(options or {}) - PARSERS[name]) if isinstance(options, (dict, type(None))) else ['(not a mapping)']
        if extra:
            raise Invalid('%s: unknown setting "%s" for the %s parser' % (where, extra[0], name))
    return {'id': flat['id'], 'paths': flat['paths'], 'enabled': flat.get('enabled', True) is not False}


def check_inputs(entries):
    """[(input, where)] checked; ids unique across all of them."""
    inputs, seen = [], {}
    for entry, where in entries:
        checked = check_input(entry, where)
        if checked['id'] in seen:
            raise Invalid('%s: filestream input id "%s" is already used by %s; ids must be unique' % (where, checked['id'], seen[checked['id']]))
        seen[checked['id']] = where
        inputs.append(checked)
    return inputs


def read_inputs_dir(pattern, strict, lookup):
    """[(entry, where)] of the files that filebeat.config.inputs.path matches, each a YAML list of inputs."""
    entries = []
    for path in sorted(p for p in glob.glob(pattern) if os.path.isfile(p)):
        document = load_yaml(path, strict)
        if document is not None and not isinstance(document, list):
            raise Invalid('%s: an inputs file must be a list of inputs' % path)
        entries += [(expand(entry, lookup), '%s: input %d' % (path, number)) for number, entry in enumerate(document or [], 1)]
    return entries


def dir_state(pattern):
    """What a change of the inputs directory changes: names, contents, owners and modes of the matched files."""
    state = []
    for path in sorted(glob.glob(pattern)):
        try:
            with open(path, 'rb') as handle:
                info = os.fstat(handle.fileno())
                state.append((path, info.st_uid, info.st_mode, hashlib.sha256(handle.read()).hexdigest()))
        except OSError as err:
            state.append((path, str(err)))
    return state


def read_config(args):
    """Everything the stand-in checks and runs with, from -c and the --path flags; Invalid when refused."""
    try:
        return load_config(args)
    except Invalid as err:
        raise Invalid('error loading config file: %s' % err) from None


def load_config(args):
    home = args.home or os.path.dirname(HERE)
    path = os.path.join(args.config_dir or home, args.config)
    document = load_yaml(path, args.strict) or {}
    if not isinstance(document, dict):
        raise Invalid('%s: expected a mapping of settings' % path)
    flat = flatten(document, TOP_EXACT, TOP_PREFIXES)
    extra = unknown(flat, TOP_EXACT, TOP_PREFIXES)
    if extra:
        raise Invalid('%s: unknown setting "%s" (not among the settings of filebeat.reference.yml that the stand-in '
                      'knows)' % (path, extra[0]))
    home = args.home or flat.get('path.home') or home
    paths = {'path.home': home, 'path.config': args.config_dir or flat.get('path.config') or home}
    paths['path.data'] = args.data or flat.get('path.data') or os.path.join(home, 'data')
    paths['path.logs'] = args.logs or flat.get('path.logs') or os.path.join(home, 'logs')
    flat.update(paths)

    def lookup(name):
        return flat.get(name) if name in flat else os.environ.get(name)
    try:
        flat = {key: expand(value, lookup) for key, value in flat.items()}
        check_values(flat)
        config = {'path': path, 'flat': flat, 'strict': args.strict, 'lookup': lookup, 'output': check_output(flat)}
        inline = flat.get('filebeat.inputs') or []
        if not isinstance(inline, list):
            raise Invalid('filebeat.inputs must be a list of inputs')
        config['inline'] = [(entry, 'filebeat.inputs: input %d' % number) for number, entry in enumerate(inline, 1)]
        pattern = flat.get('filebeat.config.inputs.path')
        enabled = flat.get('filebeat.config.inputs.enabled') is not False and pattern
        config['pattern'] = os.path.join(flat['path.config'], str(pattern)) if enabled else None
        config['reload'] = bool(enabled and flat.get('filebeat.config.inputs.reload.enabled'))
        config['period'] = seconds(flat.get('filebeat.config.inputs.reload.period', '10s'), 'filebeat.config.inputs.reload.period')
        if config['reload'] and config['period'] <= 0:
            raise Invalid('filebeat.config.inputs.reload.period must be longer than 0s')
        config['inputs'] = load_inputs(config)
    except Invalid as err:
        raise Invalid('%s: %s' % (path, err)) from None
    return config


def load_inputs(config):
    entries = config['inline'] + (read_inputs_dir(config['pattern'], config['strict'], config['lookup']) if config['pattern'] else [])
    return check_inputs(entries)


# ---------------------------------------------------------------- run mode
class Handler(BaseHTTPRequestHandler):
    server_version = 'filebeat-stand-in/1'
    sys_version = ''

    def reply(self, status, body):
        data = json.dumps(body, indent=2).encode() + b'\n'
        self.send_response(status)
        self.send_header('Content-Type', 'application/json; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # pylint: disable=invalid-name
        path, beat = self.path.split('?')[0], self.server.beat
        if path == '/':
            return self.reply(200, beat['about'])
        if path in ('/inputs', '/inputs/'):
            return self.reply(200, [input_view(one) for one in beat['inputs'] if one['enabled']])
        return self.reply(404, {'error': 'stand-in: not served by the Filebeat stand-in: GET %s' % path})

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


def input_view(one):
    """An input as GET /inputs/ shows it, with the files its globs match now."""
    files = []
    for path in sorted({match for pattern in one['paths'] for match in glob.glob(pattern)}):
        try:
            info = os.stat(path)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            files.append({'path': path, 'size': info.st_size, 'inode': info.st_ino})
    return {'id': one['id'], 'input': 'filestream', 'paths': one['paths'], 'files': files}


def prepare_data(data):
    """path.data as Filebeat lays it out: meta.json with the beat's uuid, and registry/filebeat/ (here only a marker)."""
    registry = os.path.join(data, 'registry', 'filebeat')
    for folder in (data, os.path.dirname(registry), registry):
        os.makedirs(folder, mode=0o750, exist_ok=True)
    with open(os.path.join(registry, 'stand-in.txt'), 'w', encoding='utf-8') as handle:
        handle.write('Made by the Filebeat stand-in (tests of mlops.observability). It is not a Filebeat registry: the '
                     'stand-in reads, ships and records no log line.\n')
    meta = os.path.join(data, 'meta.json')
    try:
        with open(meta, encoding='utf-8') as handle:
            return str(uuid.UUID(json.load(handle)['uuid']))
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet, or not readable: a new one, as at a first start
    beat_uuid = str(uuid.uuid4())
    with open(os.open(meta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w', encoding='utf-8') as handle:
        json.dump({'uuid': beat_uuid, 'first_start': datetime.datetime.now(datetime.timezone.utc).isoformat()}, handle)
    return beat_uuid


def http_server(flat, beat):
    """The HTTP endpoint: on host:port, or on a unix socket when http.host is unix:///path (Filebeat's two forms)."""
    if flat.get('http.enabled') is not True:
        return None
    host = str(flat.get('http.host', 'localhost'))
    if host.startswith('unix://'):
        path = host[len('unix://'):]
        if os.path.exists(path) and stat.S_ISSOCK(os.lstat(path).st_mode):
            os.unlink(path)  # a socket left by a previous run
        server_class = type('Server', (socketserver.ThreadingMixIn, socketserver.UnixStreamServer), {'daemon_threads': True})
        address = path
    else:
        host = host.strip('[]')
        family = socket.AF_INET6 if ':' in host else socket.AF_INET
        server_class = type('Server', (ThreadingHTTPServer,), {'address_family': family, 'daemon_threads': True})
        address = (host, int(flat.get('http.port', 5066)))
    try:
        server = server_class(address, Handler)
    except OSError as err:
        raise Invalid('cannot listen on %s: %s' % (host if isinstance(address, str) else '%s:%d' % address, err.strerror)) from None
    server.beat = beat
    return server


def endpoint(server):
    address = server.server_address
    if isinstance(address, str):
        return 'unix://' + address
    return 'http://%s:%d' % (address[0] if ':' not in address[0] else '[%s]' % address[0], address[1])


def run(args):
    signals = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # taken by sigtimedwait below
    config = read_config(args)
    flat = config['flat']
    for name, path in ssl_files(flat, flat['path.config']):
        try:
            with open(path, encoding='utf-8') as handle:
                if '-----BEGIN' not in handle.read():
                    raise Invalid('output.logstash %s: %s is not PEM' % (name, path))
        except OSError as err:
            raise Invalid('output.logstash %s: cannot read %s: %s' % (name, path, err.strerror)) from None
    try:
        beat_uuid = prepare_data(flat['path.data'])
    except OSError as err:
        raise Invalid('path.data %s: %s' % (flat['path.data'], err)) from None
    hostname = socket.gethostname()
    beat = {'inputs': config['inputs'], 'about': {'beat': 'filebeat', 'version': standin_version(), 'hostname': hostname,
                                                  'name': str(flat.get('name') or hostname), 'uuid': beat_uuid, 'stand-in': True}}
    server = http_server(flat, beat)
    ids = ','.join(one['id'] for one in beat['inputs'] if one['enabled'])
    log('INFO', 'stand-in: running inputs: %s; output %s (checked only: no file is read, no event is sent, no registry kept)'
        % (ids or '(none)', config['output']))
    if server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        log('INFO', 'stand-in: HTTP endpoint listening on %s, version %s; a stand-in for tests, not Filebeat'
            % (endpoint(server), beat['about']['version']))
    state = dir_state(config['pattern']) if config['reload'] else None
    while True:
        received = signal.sigtimedwait(signals, config['period'] if config['reload'] else 3600)
        if received:
            break
        if config['reload'] and dir_state(config['pattern']) != state:
            state = dir_state(config['pattern'])
            try:
                beat['inputs'] = load_inputs(config)
                log('INFO', 'stand-in: inputs reloaded: %s' % ','.join(one['id'] for one in beat['inputs'] if one['enabled']))
            except Invalid as err:
                log('ERROR', 'stand-in: inputs not reloaded, the previous inputs are kept: %s' % err)
    if server:
        server.shutdown()
        server.server_close()
        if isinstance(server.server_address, str):
            os.unlink(server.server_address)
    # as Filebeat (libbeat's signal handler), SIGHUP stops it like SIGTERM: there is no reload on SIGHUP
    log('INFO', 'stand-in: stopped on %s; exit 0' % signal.Signals(received.si_signo).name)
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    # Go's flag syntax: -path.home and --path.home are the same flag
    argv = ['-' + arg if re.match(r'-(path\.\w+|environment|strict\.perms)(=|$)', arg) else arg for arg in argv]
    parser = argparse.ArgumentParser(prog='filebeat', description='Filebeat stand-in for tests of mlops.observability; '
                                     'not Filebeat. It checks configs and serves a part of the HTTP endpoint.')
    parser.error = lambda message: sys.exit('filebeat stand-in: %s' % message)  # exit 1, as Filebeat's command line
    parser.add_argument('command', nargs='*', help='version | test config | (nothing: run)')
    parser.add_argument('-c', dest='config', default='filebeat.yml', help='the config file, relative to path.config')
    parser.add_argument('--path.home', dest='home')
    parser.add_argument('--path.config', dest='config_dir')
    parser.add_argument('--path.data', dest='data')
    parser.add_argument('--path.logs', dest='logs')
    parser.add_argument('--environment', default='default', help='accepted, not used')
    parser.add_argument('-e', dest='stderr', action='store_true', help='log to stderr')
    parser.add_argument('--strict.perms', dest='strict', type=go_bool, nargs='?', const=True, default=True)
    args = parser.parse_intermixed_args(argv)
    if args.command == ['version']:
        print('filebeat version %s (stand-in; not Filebeat)' % standin_version())
        return 0
    if args.command not in ([], ['test', 'config']):
        parser.error('unknown command "%s" (the stand-in knows version, test config and run)' % ' '.join(args.command))
    set_process_name()
    LOG['stream'] = sys.stderr if args.stderr or args.command else sys.stdout
    try:
        if not args.command:
            return run(args)
        read_config(args)
    except Invalid as err:
        log('ERROR', 'Exiting: %s' % err)
        return 1
    print('Config OK')
    log('INFO', 'stand-in: the config was checked by the Filebeat stand-in, not by Filebeat')
    return 0


if __name__ == '__main__':
    sys.exit(main())
