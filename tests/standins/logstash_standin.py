"""Logstash stand-in, for tests of mlops.observability. It is NOT Logstash: it runs no pipeline, opens no input
port, receives and sends no event. With -t it checks pipeline configs (a small parser of Logstash's config
language, plugin and option names, ${VAR} from its keystore and the environment); without, it reads logstash.yml and
pipelines.yml, checks the pipelines and the TLS files they name, creates their queue folders and serves a part of the
monitoring API over plain HTTP. SIGHUP reloads the pipelines; SIGTERM ends it. See README.md beside it.
"""
import argparse
import base64
import collections
import ctypes
import datetime
import glob
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import sys
import threading
import types
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

HERE = os.path.dirname(os.path.realpath(__file__))
KEYSTORE_FILE = 'logstash.keystore'
KEYSTORE_MARKER = 'keystore of the Logstash stand-in (tests of mlops.observability); not a Logstash keystore'
VARIABLE = re.compile(r'\$\{([A-Za-z_.][A-Za-z0-9_.]*)(?::([^}]*))?\}')
SECTIONS = ('input', 'filter', 'output')

# Plugin names: a short list of plugins bundled with Logstash 8.x/9.x, from memory of Elastic's docs.
BUNDLED = {section: set(names.split()) for section, names in {
    'input': 'azure_event_hubs beats couchdb_changes dead_letter_queue elastic_agent elastic_serverless_forwarder '
             'elasticsearch exec file ganglia gelf generator graphite heartbeat http http_poller jdbc jms kafka '
             'pipe pipeline rabbitmq redis s3 snmp snmptrap sqs stdin syslog tcp twitter udp unix',
    'filter': 'age aggregate anonymize bytes cidr cipher clone csv date de_dot dissect dns drop elastic_integration '
              'elasticsearch extractnumbers fingerprint geoip grok http jdbc_static jdbc_streaming json kv memcached '
              'metrics mutate prune ruby sleep split syslog_pri threats_classifier throttle tld translate truncate '
              'urldecode useragent uuid xml',
    'output': 'cloudwatch csv elastic_app_search elastic_workplace_search elasticsearch email exec file graphite '
              'http kafka lumberjack nagios null pipe pipeline rabbitmq redis s3 sns sqs stdout tcp udp webhdfs',
    'codec': 'avro cef collectd dots edn edn_lines es_bulk fluent graphite json json_lines line msgpack multiline '
             'netflow plain rubydebug'}.items()}
# Option names: the common options of every plugin of a section, and the own options of the plugins checked, from
# memory of Elastic's plugin reference (not checked against Logstash). Other plugins' options are not checked.
COMMON = {'input': {'add_field', 'codec', 'enable_metric', 'id', 'tags', 'type'},
          'filter': {'add_field', 'add_tag', 'enable_metric', 'id', 'periodic_flush', 'remove_field', 'remove_tag'},
          'output': {'codec', 'enable_metric', 'id'}}
OPTIONS = {key: set(names.split()) for key, names in {
    ('input', 'tcp'): 'host port mode ssl_enabled ssl_certificate ssl_key ssl_key_passphrase ssl_certificate_authorities '
                      'ssl_client_authentication ssl_verification_mode ssl_supported_protocols ssl_cipher_suites '
                      'ssl_extra_chain_certs tcp_keep_alive ecs_compatibility dns_reverse_lookup_enabled proxy_protocol',
    ('input', 'beats'): 'host port ssl_enabled ssl_certificate ssl_key ssl_key_passphrase ssl_certificate_authorities '
                        'ssl_client_authentication ssl_supported_protocols ssl_cipher_suites ssl_handshake_timeout '
                        'client_inactivity_timeout include_codec_tag enrich ecs_compatibility executor_threads',
    ('input', 'dead_letter_queue'): 'path pipeline_id commit_offsets start_timestamp clean_consumed sincedb_path',
    ('input', 'pipeline'): 'address',
    ('filter', 'translate'): 'source target dictionary dictionary_path fallback exact override regex refresh_interval '
                             'ecs_compatibility iterate_on yaml_dictionary_code_point_limit refresh_behaviour',
    ('filter', 'mutate'): 'replace update rename copy gsub lowercase uppercase convert split join merge strip coerce '
                          'capitalize tag_on_failure',
    ('output', 'elasticsearch'): 'hosts data_stream data_stream_type data_stream_dataset data_stream_namespace '
                                 'data_stream_auto_routing data_stream_sync_fields user password api_key cloud_id '
                                 'cloud_auth ssl_enabled ssl_certificate_authorities ssl_verification_mode ssl_certificate '
                                 'ssl_key ssl_supported_protocols ssl_cipher_suites ssl_keystore_path ssl_keystore_password '
                                 'ssl_truststore_path ssl_truststore_password index action document_id pipeline routing '
                                 'manage_template template template_name template_overwrite ilm_enabled ilm_policy '
                                 'ilm_rollover_alias ilm_pattern dlq_on_failed_indexname_interpolation dlq_custom_codes '
                                 'retry_initial_interval retry_max_interval retry_on_conflict timeout pool_max '
                                 'pool_max_per_route sniffing proxy custom_headers compression_level http_compression '
                                 'ecs_compatibility silence_errors_in_log',
    ('filter', 'fingerprint'): 'source target method key base64encode concatenate_sources concatenate_all_fields '
                               'ecs_compatibility',
    ('filter', 'json'): 'source target skip_on_invalid_json tag_on_failure ecs_compatibility',
    ('output', 'pipeline'): 'send_to'}.items()}
# The elasticsearch output in data stream mode (data_stream => "true") refuses every option but these, and action
# other than create (logstash-output-elasticsearch, lib/logstash/outputs/elasticsearch/data_stream_support.rb,
# invalid_data_stream_params: data_stream_*, routing, pipeline, the connection options the plugin shares with its
# mixin, and the options of every output); document_id, index, manage_template and ilm_* are refused there.
DATA_STREAM_MODE_OPTIONS = COMMON['output'] | {
    'hosts', 'user', 'password', 'api_key', 'cloud_id', 'cloud_auth', 'ssl_enabled', 'ssl_certificate_authorities',
    'ssl_verification_mode', 'ssl_certificate', 'ssl_key', 'ssl_supported_protocols', 'ssl_cipher_suites',
    'ssl_keystore_path', 'ssl_keystore_password', 'ssl_truststore_path', 'ssl_truststore_password', 'routing',
    'pipeline', 'retry_initial_interval', 'retry_max_interval', 'timeout', 'pool_max', 'pool_max_per_route',
    'sniffing', 'proxy', 'custom_headers', 'compression_level', 'http_compression', 'ecs_compatibility',
    'silence_errors_in_log', 'dlq_on_failed_indexname_interpolation', 'dlq_custom_codes', 'action', 'data_stream'}
REQUIRED = {('input', 'tcp'): ['port'], ('input', 'beats'): ['port'], ('input', 'pipeline'): ['address'],
            ('output', 'pipeline'): ['send_to']}
BOOLEANS = {'ssl_enabled', 'tcp_keep_alive', 'commit_offsets', 'clean_consumed', 'include_codec_tag', 'exact',
            'override', 'regex', 'manage_template', 'http_compression', 'enable_metric', 'data_stream_auto_routing'}


class Invalid(Exception):
    """A configuration the stand-in refuses; the message names the file (and line) when it can."""


# ---------------------------------------------------------------- log lines: stdout (the journal), path.logs
LOG_FILES = []


def log(level, message):
    now = datetime.datetime.now().isoformat(timespec='milliseconds')
    line = '[%s][%-5s][logstash stand-in] %s\n' % (now, level, message)
    for stream in [sys.stdout] + LOG_FILES:
        stream.write(line)
        stream.flush()


def set_process_name(name=b'ls-stand-in'):
    """ps -o comm, top and pgrep show "ls-stand-in" (Linux prctl PR_SET_NAME)."""
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


def truth(value):
    return value is True or str(value).lower() == 'true'


# ---------------------------------------------------------------- keystore, ${VAR} references
def read_keystore(settings_dir):
    """{name: value} of the stand-in's keystore in settings_dir; {} when there is none."""
    path = os.path.join(settings_dir, KEYSTORE_FILE)
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding='utf-8') as handle:
            document = json.load(handle)
        if document.get('stand-in') != KEYSTORE_MARKER:
            raise ValueError('no stand-in marker')
        return {name: base64.b64decode(value, validate=True).decode('utf-8') for name, value in document['settings'].items()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as err:
        raise Invalid('%s: cannot read it as a keystore of the stand-in: %s' % (path, err)) from None


def substitute(value, secrets, where):
    """value with every ${NAME} or ${NAME:default} replaced: keystore first, then the environment, then the default."""
    if isinstance(value, list):
        return [substitute(item, secrets, where) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, secrets, where) for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def one(match):
        name, default = match.groups()
        for source in (secrets, os.environ):
            if name in source:
                return source[name]
        if default is None:
            raise Invalid('%s: cannot resolve ${%s}: it is neither in the keystore nor in the environment, and has no '
                          'default' % (where, name))
        return default
    return VARIABLE.sub(one, value)


# ---------------------------------------------------------------- the config language: tokens, parser
LEXER = re.compile(r'''(?P<space>\s+)|(?P<comment>\#[^\n]*)|(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
                       |(?P<op>=>|==|!=|<=|>=|=~|!~|[{}\[\](),<>!])|(?P<word>[^\s{}\[\](),"'\#=!<>~]+)''', re.S | re.X)
REGEXP = re.compile(r'/(?:[^/\\\n]|\\.)*/')


Token = collections.namedtuple('Token', 'kind text file line')


def tokenize(text, file):
    tokens, pos, line = [], 0, 1
    while pos < len(text):
        match = tokens and tokens[-1].text in ('=~', '!~') and REGEXP.match(text, pos) or LEXER.match(text, pos)
        if not match:
            what = 'an unterminated string' if text[pos] in '"\'' else 'an unexpected character %r' % text[pos]
            raise Invalid('%s: line %d: %s' % (file, line, what))
        kind = match.lastgroup or 'regexp'
        if kind not in ('space', 'comment'):
            tokens.append(Token(kind, match.group(), file, line))
        line += match.group().count('\n')
        pos = match.end()
    return tokens


class Parser:
    """input|filter|output { plugin { key => value ... } if COND { ... } else if COND { ... } else { ... } }.
    Values: strings, numbers, barewords, [arrays], { "hash" => entries }, and codec plugins."""

    def __init__(self, tokens):
        self.tokens, self.pos, self.plugins = tokens, 0, []

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def at(self, text, kind='op'):
        token = self.peek()
        return token is not None and token.kind == kind and token.text == text

    def fail(self, message, token=None):
        token = token or self.peek()
        if token is None:
            last = self.tokens[-1]
            raise Invalid('%s: at the end of the config (after line %d): %s (unbalanced braces?)' % (last.file, last.line, message))
        raise Invalid('%s: line %d: %s' % (token.file, token.line, message))

    def take(self, text=None):
        token = self.peek()
        if token is None or (text and not self.at(text)):
            self.fail('expected "%s"%s' % (text, ', found "%s"' % token.text if token else '') if text else 'unexpected end')
        self.pos += 1
        return token

    def config(self):
        while self.peek():
            section = self.take()
            if section.text not in SECTIONS:
                self.fail('expected input, filter or output, found "%s"%s' % (
                    section.text, ' (unbalanced braces?)' if section.text == '}' else ''), section)
            self.take('{')
            self.block(section.text)
        return self.plugins

    def block(self, section):
        while not self.at('}'):
            token = self.take()
            if token == ('word', 'if', token.file, token.line):
                self.branches(section)
            elif token.kind == 'word' and token.text != 'else':
                self.plugin(section, token)
            else:
                self.fail('expected a plugin name or "if", found "%s"' % token.text, token)  # also an "else" without "if"
        self.take('}')

    def branches(self, section):
        condition = self.condition()
        while condition:
            self.take('{')
            self.block(section)
            if not self.at('else', 'word'):
                return
            self.take()
            condition = self.at('if', 'word') and self.take() and self.condition()
        self.take('{')  # else { ... }
        self.block(section)

    def condition(self):
        """Loosely: the tokens up to the "{" outside brackets and parentheses; strings and regexps are tokens."""
        depth, start = 0, self.pos
        while not (depth == 0 and (self.at('{') or self.at('}'))):
            token = self.take()
            if token.kind == 'op' and token.text in '[(':
                depth += 1
            elif token.kind == 'op' and token.text in '])':
                depth -= 1
                if depth < 0:
                    self.fail('unbalanced "%s" in a condition' % token.text, token)
        if self.pos == start or self.at('}'):
            self.fail('a condition without its "{ ... }"' if self.pos > start else 'a missing condition after "if"')
        return True

    def key(self):
        """An option name or a hash key, and its "=>"."""
        token = self.take()
        if token.kind not in ('word', 'string'):
            self.fail('expected a name, found "%s"' % token.text, token)
        self.take('=>')
        return token.text[1:-1] if token.kind == 'string' else token.text, token.line

    def plugin(self, section, name):
        plugin = types.SimpleNamespace(section=section, name=name.text, file=name.file, line=name.line, options={})
        self.take('{')
        while not self.at('}'):
            key, line = self.key()
            plugin.options[key] = (self.value(), line)
        self.take('}')
        self.plugins.append(plugin)
        return plugin

    def value(self):
        token = self.take()
        if token.kind == 'string':
            return token.text[1:-1]
        if token.kind == 'word':
            return self.plugin('codec', token) if self.at('{') else token.text
        if token.text in '[{':
            closing, items, entries = ']' if token.text == '[' else '}', [], {}
            while not self.at(closing):
                if closing == ']':
                    items.append(self.value())
                else:
                    key = self.key()[0]  # before the value: Python evaluates the right side first
                    entries[key] = self.value()
                if self.at(','):
                    self.take()
            self.take(closing)
            return items if closing == ']' else entries
        return self.fail('expected a value, found "%s"' % token.text, token)


def check_plugins(plugins, secrets):
    """Plugin names, option names (of the plugins in OPTIONS), required options and a few value kinds; resolves
    every ${VAR} in the options (in place)."""
    for plugin in plugins:
        kind, where = (plugin.section, plugin.name), '%s: line %d' % (plugin.file, plugin.line)
        if plugin.name not in BUNDLED[plugin.section]:
            raise Invalid('%s: unknown %s plugin "%s" (not among the bundled plugins the stand-in knows)' % (where, *kind))
        known = OPTIONS.get(kind)
        for key, (value, line) in plugin.options.items():
            at = '%s: line %d: %s %s' % (plugin.file, line, plugin.name, key)
            value = substitute(value, secrets, at)
            plugin.options[key] = (value, line)
            if known is not None and key not in known | COMMON[plugin.section]:
                raise Invalid('%s: line %d: unknown setting "%s" for %s plugin "%s"' % (plugin.file, line, key, *kind))
            if known is not None and key == 'port' and not re.fullmatch(r'\d{1,5}', str(value)):
                raise Invalid('%s: expected a number, found "%s"' % (at, value))
            if known is not None and key in BOOLEANS and str(value).lower() not in ('true', 'false'):
                raise Invalid('%s: expected a boolean (true or false), found "%s"' % (at, value))
            if kind == ('output', 'elasticsearch') and key == 'data_stream' and str(value).lower() not in ('true', 'false', 'auto'):
                raise Invalid('%s: expected true, false or auto, found "%s"' % (at, value))
            if key == 'codec' and isinstance(value, str) and value not in BUNDLED['codec']:
                raise Invalid('%s: unknown codec "%s"' % (at, value))
        if kind == ('output', 'elasticsearch') and str(plugin.options.get('data_stream', ('', 0))[0]).lower() == 'true':
            refused = sorted(key for key in plugin.options if not key.startswith('data_stream_')
                             and key not in DATA_STREAM_MODE_OPTIONS)
            if plugin.options.get('action', ('create', 0))[0] != 'create':
                refused.append('action')
            if refused:
                raise Invalid('%s: invalid data stream configuration: %s (not with data_stream => true)'
                              % (where, ', '.join(refused)))
        missing = [key for key in REQUIRED.get(kind, []) if key not in plugin.options]
        if missing:
            raise Invalid('%s: %s plugin "%s" misses the required setting "%s"' % (where, *kind, missing[0]))


def as_list(value):
    return [] if value is None else value if isinstance(value, list) else [value]


def readable(path, what):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except OSError as err:
        raise Invalid('%s: cannot read %s: %s' % (what, path, err.strerror)) from None


def check_files(plugins):
    """What Logstash's plugins load when they start: TLS files must exist and be readable by this process, and the
    beats input's key must be PKCS#8."""
    for plugin in plugins:
        options = {key: entry[0] for key, entry in plugin.options.items()}
        where = '%s: line %d: %s %s' % (plugin.file, plugin.line, plugin.section, plugin.name)
        if plugin.section == 'input' and plugin.name in ('tcp', 'beats') and truth(options.get('ssl_enabled')):
            for key in ('ssl_certificate', 'ssl_key'):
                if not options.get(key):
                    raise Invalid('%s: ssl_enabled => true needs %s' % (where, key))
            for key in ('ssl_certificate', 'ssl_certificate_authorities'):
                for path in as_list(options.get(key)):
                    readable(path, '%s %s' % (where, key))
            key = readable(options['ssl_key'], where + ' ssl_key')
            if plugin.name == 'beats' and b'-----BEGIN PRIVATE KEY' not in key and b'-----BEGIN ENCRYPTED PRIVATE KEY' not in key:
                raise Invalid("%s: ssl_key %s is not a PKCS#8 key (BEGIN PRIVATE KEY): Logstash's beats input needs "
                              "PKCS#8, not an EC or RSA key in OpenSSL's format" % (where, options['ssl_key']))
        if plugin.section == 'output' and plugin.name == 'elasticsearch':
            for path in as_list(options.get('ssl_certificate_authorities')):
                readable(path, where + ' ssl_certificate_authorities')


# ---------------------------------------------------------------- settings and pipelines
def flatten(data, prefix=''):
    flat = {}
    for key, value in (data or {}).items():
        if isinstance(value, dict):
            flat.update(flatten(value, '%s%s.' % (prefix, key)))
        else:
            flat[prefix + str(key)] = value
    return flat


def load_yaml(path):
    """The document in path, None when the file does not exist."""
    try:
        with open(path, encoding='utf-8') as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        return None
    except (OSError, yaml.YAMLError) as err:
        raise Invalid('%s: %s' % (path, err)) from None


def load_settings(settings_dir, secrets):
    path = os.path.join(settings_dir, 'logstash.yml')
    document = load_yaml(path)
    if document is not None and not isinstance(document, dict):
        raise Invalid('%s: expected a mapping of settings' % path)
    return {key: substitute(value, secrets, '%s: %s' % (path, key)) for key, value in flatten(document).items()}


def config_sources(pipeline_id, settings):
    """[(name, text)] of a pipeline: its config.string, or the files of its path.config (a file, a folder or a glob)."""
    if settings.get('config.string') is not None:
        return [('pipeline %s config.string' % pipeline_id, str(settings['config.string']))]
    pattern = settings.get('path.config')
    if not pattern:
        raise Invalid('pipeline "%s": neither path.config nor config.string is set' % pipeline_id)
    pattern = os.path.join(str(pattern), '*') if os.path.isdir(str(pattern)) else str(pattern)
    files = sorted(path for path in glob.glob(pattern) if os.path.isfile(path))
    if not files:
        raise Invalid('pipeline "%s": no config file matches path.config %s' % (pipeline_id, pattern))
    sources = []
    for path in files:
        sources.append((path, readable(path, 'pipeline "%s"' % pipeline_id).decode('utf-8', 'replace')))
    return sources


def read_pipelines(args, settings, secrets, files=False):
    """{id: {"settings", "text", "plugins"}}: the pipeline of -f, else those of pipelines.yml (or of logstash.yml
    when there is none). Each is parsed and checked; files=True also checks the files that its plugins load."""
    entries = [{'path.config': args.config}] if args.config else None
    if entries is None:
        path = os.path.join(args.settings, 'pipelines.yml')
        document = load_yaml(path)
        if document is not None and not (isinstance(document, list) and all(isinstance(e, dict) for e in document)):
            raise Invalid('%s: expected a list of pipelines (mappings)' % path)
        if document:
            settings = {key: value for key, value in settings.items() if key not in ('pipeline.id', 'path.config', 'config.string')}
        entries = [{key: substitute(value, secrets, '%s: %s' % (path, key)) for key, value in flatten(entry).items()}
                   for entry in document] if document else [{}]
    pipelines = {}
    for entry in entries:
        merged = dict(settings, **entry)  # a pipeline's own settings over those of logstash.yml
        pipeline_id = str(merged.get('pipeline.id', 'main'))
        if pipeline_id in pipelines:
            raise Invalid('pipelines.yml: pipeline.id "%s" is used twice' % pipeline_id)
        sources = config_sources(pipeline_id, merged)
        tokens = [token for name, text in sources for token in tokenize(text, name)]
        if not tokens:
            raise Invalid('pipeline "%s": the config is empty' % pipeline_id)
        plugins = Parser(tokens).config()
        check_plugins(plugins, secrets)
        if files:
            check_files(plugins)
        pipelines[pipeline_id] = {'settings': merged, 'text': '\n'.join(source[1] for source in sources), 'plugins': plugins}
    return pipelines


def batch(settings):
    return {'workers': int(settings.get('pipeline.workers') or os.cpu_count() or 1),
            'batch_size': int(settings.get('pipeline.batch.size', 125)), 'batch_delay': int(settings.get('pipeline.batch.delay', 50))}


def seconds(value):
    match = re.fullmatch(r'(\d+)\s*(ms|s|m|h)?', str(value).strip())
    if not match:
        return value
    return int(match.group(1)) * {'ms': 0.001, 's': 1, 'm': 60, 'h': 3600}[match.group(2) or 's']


# ---------------------------------------------------------------- the service
class Node:
    def __init__(self, args, settings, data):
        self.args, self.settings, self.data = args, settings, data
        self.version, self.name = standin_version(), str(settings.get('node.name') or socket.gethostname())
        self.ephemeral_id, self.pipelines, self.address = str(uuid.uuid4()), {}, None
        uuid_file = os.path.join(data, 'uuid')  # Logstash keeps its node id there
        if not os.path.exists(uuid_file):
            with open(uuid_file, 'w', encoding='utf-8') as handle:
                handle.write(str(uuid.uuid4()))
        self.id = readable(uuid_file, 'path.data').decode().strip()

    def load(self):
        """Read and check every pipeline, create its queue folders; returns the API's view of them."""
        pipelines = read_pipelines(self.args, self.settings, read_keystore(self.args.settings), files=True)
        view = {}
        for pipeline_id, pipeline in pipelines.items():
            settings = pipeline['settings']
            if settings.get('queue.type', 'memory') not in ('memory', 'persisted'):
                raise Invalid('pipeline "%s": queue.type must be memory or persisted, not "%s"' % (pipeline_id, settings['queue.type']))
            for key in ('queue.max_bytes', 'dead_letter_queue.max_bytes'):
                if key in settings and not re.fullmatch(r'\d+\s*([kmgtp]?b)?', str(settings[key]).strip().lower()):
                    raise Invalid('pipeline "%s": %s must be a size such as 1024mb, not "%s"' % (pipeline_id, key, settings[key]))
            folders = []
            if settings.get('queue.type') == 'persisted':
                folders.append(os.path.join(str(settings.get('path.queue') or os.path.join(self.data, 'queue')), pipeline_id))
            dlq = truth(settings.get('dead_letter_queue.enable', False))
            dlq_path = str(settings.get('path.dead_letter_queue') or os.path.join(self.data, 'dead_letter_queue'))
            folders += [os.path.join(dlq_path, pipeline_id)] if dlq else []
            for folder in folders:
                try:
                    os.makedirs(folder, exist_ok=True)
                except OSError as err:
                    raise Invalid('pipeline "%s": cannot create %s: %s' % (pipeline_id, folder, err.strerror)) from None
            digest = hashlib.sha256(pipeline['text'].encode('utf-8')).hexdigest()
            old = self.pipelines.get(pipeline_id)
            info = dict(batch(settings), hash=digest, config_reload_automatic=False, dead_letter_queue_enabled=dlq,
                        config_reload_interval=seconds(settings.get('config.reload.interval', '3s')),
                        ephemeral_id=old['ephemeral_id'] if old and old['hash'] == digest else str(uuid.uuid4()))
            if dlq:
                info['dead_letter_queue_path'] = os.path.join(dlq_path, pipeline_id)
            view[pipeline_id] = info
        return view

    def about(self):
        return {'host': socket.gethostname(), 'version': self.version, 'http_address': self.address, 'id': self.id,
                'name': self.name, 'ephemeral_id': self.ephemeral_id, 'status': 'green', 'snapshot': False,
                'build_flavor': 'stand-in', 'stand-in': 'a stand-in for tests of mlops.observability; not Logstash',
                'pipeline': batch(self.settings)}

    def reload(self):
        try:
            self.pipelines = self.load()
        except (Invalid, OSError, ValueError) as err:
            log('ERROR', 'stand-in: reload refused, the running pipelines are kept: %s' % err)
            return
        log('INFO', 'stand-in: pipelines reloaded: %s' % ','.join(self.pipelines))


class Handler(BaseHTTPRequestHandler):
    server_version = 'Logstash-stand-in/1'
    sys_version = ''

    def reply(self, status, body, headers=()):
        data = json.dumps(body, indent=2).encode() + b'\n'
        self.send_response(status)
        for header in (('Content-Type', 'application/json'), ('Content-Length', str(len(data)))) + tuple(headers):
            self.send_header(*header)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(data)

    def handle_any(self):
        node, auth = self.server.node, self.server.auth
        if auth:
            given = self.headers.get('Authorization', '')
            wanted = 'Basic ' + base64.b64encode(('%s:%s' % auth).encode()).decode()
            if not hmac.compare_digest(given.encode(), wanted.encode()):
                return self.reply(401, {'status': 401, 'error': 'stand-in: authentication required (basic)'},
                                  [('WWW-Authenticate', 'Basic realm="logstash stand-in"')])
        path, pipelines = urllib.parse.unquote(self.path.split('?')[0].rstrip('/')) or '/', node.pipelines
        if self.command in ('GET', 'HEAD') and path == '/':
            return self.reply(200, node.about())
        if self.command in ('GET', 'HEAD') and path == '/_node/pipelines':
            return self.reply(200, dict(node.about(), pipelines=pipelines))
        found = re.fullmatch(r'/_node/pipelines/([^/]+)', path)
        if self.command in ('GET', 'HEAD') and found and found.group(1) in pipelines:
            return self.reply(200, dict(node.about(), pipelines={found.group(1): pipelines[found.group(1)]}))
        return self.reply(404, {'status': 404, 'path': path, 'error': 'stand-in: not found or not served by the Logstash '
                                'stand-in: %s %s' % (self.command, path)})

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = handle_any

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


def api_server(node, settings):
    """The monitoring API's server (not yet serving), or None when api.enabled is false."""
    if not truth(settings.get('api.enabled', True)):
        return None
    if truth(settings.get('api.ssl.enabled', False)):
        raise Invalid('stand-in: api.ssl not supported (the stand-in serves its API over plain HTTP only)')
    auth = None
    if settings.get('api.auth.type', 'none') not in ('none', 'basic'):
        raise Invalid('logstash.yml: api.auth.type must be none or basic, not "%s"' % settings['api.auth.type'])
    if settings.get('api.auth.type') == 'basic':
        auth = (str(settings.get('api.auth.basic.username') or ''), str(settings.get('api.auth.basic.password') or ''))
        if not all(auth):
            raise Invalid('logstash.yml: api.auth.type basic needs api.auth.basic.username and api.auth.basic.password')
    host = str(settings.get('api.http.host', '127.0.0.1')).strip('[]')
    port = int(str(settings.get('api.http.port', 9600)).split('-', maxsplit=1)[0])  # a range: its first port only
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    server_class = type('Server', (ThreadingHTTPServer,), {'address_family': family, 'daemon_threads': True})
    try:
        server = server_class((host, port), Handler)
    except OSError as err:
        raise Invalid('stand-in: cannot listen on %s:%d: %s' % (host, port, err.strerror)) from None
    server.node, server.auth = node, auth
    node.address = '%s:%d' % (host if ':' not in host else '[%s]' % host, server.server_address[1])
    return server


def serve(args):
    signals = {signal.SIGHUP, signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # taken by sigwait below, in this thread only
    secrets = read_keystore(args.settings)
    settings = load_settings(args.settings, secrets)
    data = str(args.data or settings.get('path.data') or os.path.join(os.path.dirname(HERE), 'data'))
    if settings.get('path.logs'):
        try:
            plain_log = os.path.join(str(settings['path.logs']), 'logstash-plain.log')
            LOG_FILES.append(open(plain_log, 'a', encoding='utf-8'))  # pylint: disable=consider-using-with
        except OSError as err:
            log('WARN', 'stand-in: cannot write to path.logs %s: %s; logging to stdout only' % (settings['path.logs'], err.strerror))
    try:
        os.makedirs(data, exist_ok=True)
    except OSError:
        pass
    if not (os.path.isdir(data) and os.access(data, os.W_OK | os.X_OK)):
        raise Invalid('path.data "%s" must be a writable directory' % data)
    node = Node(args, settings, data)
    server = api_server(node, settings)
    node.pipelines = node.load()
    log('INFO', 'stand-in: pipelines running: %s (checked only: no input port is opened, no event is received or sent)'
        % ','.join(node.pipelines))
    if server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        log('INFO', 'stand-in: API listening on http://%s%s, version %s; a stand-in for tests, not Logstash' % (
            node.address, ' (basic auth)' if server.auth else '', node.version))
    while True:
        received = signal.sigwait(signals)
        if received != signal.SIGHUP:
            break
        log('INFO', 'stand-in: SIGHUP: reloading the pipelines')
        node.reload()
    if server:
        server.shutdown()
        server.server_close()
    log('INFO', 'stand-in: stopped on %s; exit 0' % signal.Signals(received).name)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='logstash', description='Logstash stand-in for tests of mlops.observability; '
                                     'not Logstash. It checks configs and serves a part of the monitoring API.')
    parser.add_argument('--path.settings', dest='settings', default='/etc/logstash', help='folder of logstash.yml')
    parser.add_argument('--path.data', dest='data', help='overrides path.data of logstash.yml')
    parser.add_argument('-f', '--path.config', dest='config', help='a config file, folder or glob (pipelines.yml is ignored)')
    parser.add_argument('-t', '--config.test_and_exit', dest='test', action='store_true', help='check the config and exit')
    parser.add_argument('-V', '--version', action='store_true', help='print the version and exit')
    args = parser.parse_args(argv)
    if args.version:
        print('logstash %s (stand-in; not Logstash)' % standin_version())
        return 0
    set_process_name()
    try:
        if not args.test:
            return serve(args)
        secrets = read_keystore(args.settings)
        pipelines = read_pipelines(args, load_settings(args.settings, secrets), secrets)
    except (Invalid, OSError, ValueError) as err:
        log('ERROR', 'stand-in: %s' % err)
        return 1
    log('INFO', 'stand-in: Configuration OK (pipelines %s; checked by the stand-in, not by Logstash)' % ','.join(pipelines))
    return 0


if __name__ == '__main__':
    sys.exit(main())
