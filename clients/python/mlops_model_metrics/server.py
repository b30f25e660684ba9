"""HTTPS metrics endpoint with basic auth."""
from __future__ import annotations

import base64
import hmac
import http.server
import ssl
import threading

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


def _handler(registry, users, extra_routes):
    expected = {'Basic ' + base64.b64encode(('%s:%s' % (u, p)).encode()).decode() for u, p in users.items()}

    class Handler(http.server.BaseHTTPRequestHandler):
        def _authorized(self):
            given = self.headers.get('Authorization', '')
            if any(hmac.compare_digest(given, e) for e in expected):
                return True
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="metrics"')
            self.end_headers()
            return False

        def _route(self, method):
            if not self._authorized():
                return
            route = extra_routes.get((method, self.path.split('?')[0]))
            if method == 'GET' and self.path.split('?')[0] == '/metrics':
                body = generate_latest(registry)
                self.send_response(200)
                self.send_header('Content-Type', CONTENT_TYPE_LATEST)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif route:
                length = int(self.headers.get('Content-Length', 0))
                status, content_type, body = route(self.rfile.read(length) if length else b'', self.headers)
                self.send_response(status)
                self.send_header('Content-Type', content_type)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.send_response(404)
                self.end_headers()

        def do_GET(self):  # noqa: N802
            self._route('GET')

        def do_POST(self):  # noqa: N802
            self._route('POST')

        def log_message(self, *args):
            pass

    return Handler


def serve_metrics(registry, port, certfile, keyfile, users, address='0.0.0.0', extra_routes=None, background=True):
    """Serve /metrics (and extra_routes {(method, path): fn(body, headers) -> (status, type, bytes)})
    over TLS 1.2+ with basic auth. Returns the server; background=True runs it in a thread."""
    if not users or not all(users.values()):
        raise ValueError('serve_metrics needs at least one user, each with a password')
    server = http.server.ThreadingHTTPServer((address, port), _handler(registry, users, extra_routes or {}))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile, keyfile)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    if background:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    else:
        server.serve_forever()
    return server
