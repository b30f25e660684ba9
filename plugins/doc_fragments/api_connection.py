# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the modules that call the Elasticsearch, Kibana or Grafana HTTP API
    # (plugins/module_utils/api_client.py, API_CONNECTION_SPEC).
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the API, such as V(https://es1.example.com:9200), V(https://kibana.example.com:5601) or
        V(https://grafana.example.com:3000); a path prefix (a Kibana base path) is kept.
      - Credentials are not accepted in the URL; use O(url_username) and O(url_password), O(api_key) or O(token).
    type: str
    required: true
  validate_certs:
    description:
      - Check the server certificate against O(ca_path), or the system trust store without it, and check that it
        is issued for the host name of O(url).
      - Set V(false) only for tests; the connection is then open to interception.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA, or CAs, that signed the server certificate. When given, only these CAs are trusted.
      - Without it, the system trust store is used.
    type: path
  client_cert:
    description:
      - PEM file of a client certificate for servers that require one (mutual TLS).
      - The file may also hold the private key; otherwise give O(client_key).
    type: path
  client_key:
    description:
      - PEM file of the private key of O(client_cert), if that file does not hold it. Needs O(client_cert).
    type: path
  url_username:
    description:
      - User for HTTP basic authentication. Needs O(url_password).
      - Mutually exclusive with O(api_key) and O(token).
    type: str
  url_password:
    description:
      - Password of O(url_username), sent with HTTP basic authentication.
      - Not logged (C(no_log)), and never part of an error message.
    type: str
  api_key:
    description:
      - API key for Elasticsearch and Kibana, sent in the C(Authorization) header as C(ApiKey <api_key>); give the
        base64 encoded form that Elasticsearch returns as C(encoded).
      - Not logged (C(no_log)). Mutually exclusive with O(url_username) and O(token).
    type: str
  token:
    description:
      - Bearer token, such as a Grafana service account token, sent in the C(Authorization) header as C(Bearer <token>).
      - Not logged (C(no_log)). Mutually exclusive with O(url_username) and O(api_key).
    type: str
  timeout:
    description:
      - Seconds to wait for the connection and for each answer; a request that takes longer fails.
    type: int
    default: 30
  retries:
    description:
      - How many times a request is tried again when the connection is refused or the server answers
        HTTP 502, 503 or 504 (starting or overloaded). The waits between tries are 0.5 s, then twice as long each time.
      - Other errors, such as any other 4xx answer or a timeout, are not retried.
    type: int
    default: 3
notes:
  - Requests and answers are JSON. Errors name the host and port, the request and the cause, such as refused
    credentials (naming the user, never the password), a missing privilege, or a certificate not signed by the CA
    in O(ca_path).
"""
