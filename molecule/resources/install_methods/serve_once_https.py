"""Test fixture: serve files of DIR over HTTPS on 127.0.0.1 until one GET succeeded (or 120 s passed).

Usage: serve_once_https.py DIR CERT KEY PORTFILE
The port (chosen by the kernel) is written to PORTFILE once the server listens. A client that refuses
the certificate does not count: the server keeps waiting for a verified request.
"""
import functools
import http.server
import os
import ssl
import sys
import time

root, cert, key, portfile = sys.argv[1:5]
served = []


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        super().do_GET()
        served.append(self.path)


server = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.timeout = 5
with open(portfile + ".tmp", "w", encoding="ascii") as f:
    f.write(str(server.server_address[1]))
os.replace(portfile + ".tmp", portfile)
deadline = time.monotonic() + 120
while not served and time.monotonic() < deadline:
    server.handle_request()
print("served: " + ", ".join(served) if served else "nothing served before the deadline")
