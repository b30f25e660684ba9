# Copyright: mlops.observability contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: bcrypt_hash
short_description: bcrypt hash with a salt derived from a seed, stable across runs
version_added: 0.1.0
description:
  - Hashes a password with bcrypt for Prometheus-style C(web.config.file) C(basic_auth_users).
  - The salt is derived from O(salt_seed) (for example the host name and the user name), so the same
    password and seed always give the same hash and a second run reports no change.
  - Uses the C(bcrypt) library directly, which avoids the C(passlib) 1.7 and C(bcrypt) 5 incompatibility
    of C(password_hash('bcrypt')).
  - Fails when the password is empty or longer than the 72 bytes bcrypt can use.
requirements:
  - bcrypt (Python library, on the controller)
options:
  _input:
    description: The password to hash.
    type: str
    required: true
  salt_seed:
    description:
      - Any string; the salt is the first 16 bytes of its SHA-256 digest.
      - Use a different seed per host and user, so equal passwords do not give equal hashes.
    type: str
    required: true
  rounds:
    description: The bcrypt cost factor (log2 of the number of rounds), a whole number from 4 to 31.
    type: int
    default: 10
"""

EXAMPLES = r"""
- name: Hash a web user's password for node_exporter's web config
  ansible.builtin.set_fact:
    web_hash: "{{ 'S3cret!' | mlops.observability.bcrypt_hash(inventory_hostname ~ ':prometheus') }}"
"""

RETURN = r"""
_value:
  description: The bcrypt hash, in the C($2b$) modular crypt format.
  type: str
"""

import base64
import hashlib

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes, to_text

try:
    import bcrypt
    HAS_BCRYPT = True
except ImportError:
    HAS_BCRYPT = False

_STD_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT_B64 = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_TO_BCRYPT = bytes.maketrans(_STD_B64, _BCRYPT_B64)


def stable_salt(salt_seed, rounds=10):
    """Return a bcrypt salt string ($2b$NN$ + 22 chars) derived from salt_seed."""
    # bool is an int in Python: refuse it, and anything that is not a whole number, with a clear error
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 4 <= rounds <= 31:
        raise AnsibleFilterError("bcrypt_hash: rounds must be a whole number from 4 to 31, got %r (%s)"
                                 % (rounds, type(rounds).__name__))
    raw = hashlib.sha256(to_bytes(salt_seed, errors='surrogate_or_strict')).digest()[:16]
    encoded = base64.b64encode(raw).rstrip(b"=").translate(_TO_BCRYPT)
    return b"$2b$%02d$" % int(rounds) + encoded


def bcrypt_hash(password, salt_seed, rounds=10):
    if not HAS_BCRYPT:
        raise AnsibleFilterError("bcrypt_hash needs the Python 'bcrypt' library on the controller")
    if password is None or not isinstance(password, (str, bytes)):
        raise AnsibleFilterError("bcrypt_hash: the password must be a string")
    secret = to_bytes(password, errors='surrogate_or_strict')
    if not secret:
        raise AnsibleFilterError("bcrypt_hash: the password is empty")
    if len(secret) > 72:
        raise AnsibleFilterError(
            "bcrypt_hash: the password is %d bytes long; bcrypt uses at most 72 bytes" % len(secret))
    if salt_seed is None or to_text(salt_seed) == '':
        raise AnsibleFilterError("bcrypt_hash: salt_seed must not be empty")
    return to_text(bcrypt.hashpw(secret, stable_salt(salt_seed, rounds)))


class FilterModule:
    def filters(self):
        return {'bcrypt_hash': bcrypt_hash}
