"""Test load for the demo model: COUNT predictions, one request after another, each with the request id
PREFIX-<n> (n from 1), over HTTPS with basic auth. Prints {"sent", "seconds", "per_second"}; exits 1 on
any answer but 200.

Usage: burst.py URL CA_FILE USER PASSWORD PREFIX COUNT
"""
import base64
import http.client
import json
import ssl
import sys
import time
import urllib.parse


def main():
    url, ca_file, user, password, prefix, count = sys.argv[1:7]
    target = urllib.parse.urlsplit(url)
    context = ssl.create_default_context(cafile=ca_file)
    headers = {'Authorization': 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode(),
               'Content-Type': 'application/json'}
    body = json.dumps({'instances': [[0.1, -0.4, 1.2, 0.3]]})
    start = time.monotonic()
    for number in range(1, int(count) + 1):
        connection = http.client.HTTPSConnection(target.hostname, target.port, context=context, timeout=30)
        connection.request('POST', target.path, body, dict(headers, **{'X-Request-Id': '%s-%d' % (prefix, number)}))
        answer = connection.getresponse()
        answer.read()
        connection.close()
        if answer.status != 200:
            sys.exit('request %d: HTTP %d' % (number, answer.status))
    seconds = time.monotonic() - start
    print(json.dumps({'sent': int(count), 'seconds': round(seconds, 3), 'per_second': round(int(count) / seconds, 1)}))


if __name__ == '__main__':
    main()
