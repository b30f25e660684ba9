"""Test fixture: an HTTPS webhook receiver with basic auth that records every notification.

Each POST body is appended as one JSON line to the output file, with the time it arrived (receivedAt).
Usage: webhook_receiver.py PORT CERT KEY USER PASSWORD OUTFILE
"""
import base64
import http.server
import json
import ssl
import sys
import time

port, cert, key, user, password, outfile = sys.argv[1:7]
expected = 'Basic ' + base64.b64encode(f'{user}:{password}'.encode()).decode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        if self.headers.get('Authorization') != expected:
            self.send_response(401)
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open(outfile, 'a', encoding='utf-8') as out:
            out.write(json.dumps(dict(json.loads(body), receivedAt=time.strftime('%H:%M:%S'))) + '\n')
        self.send_response(200)
        self.end_headers()


server = http.server.ThreadingHTTPServer(('0.0.0.0', int(port)), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
