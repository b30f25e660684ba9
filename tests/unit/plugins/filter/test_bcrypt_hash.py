from __future__ import annotations

import bcrypt
import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mlops.observability.plugins.filter.bcrypt_hash import bcrypt_hash, stable_salt


def test_hash_verifies_with_bcrypt():
    hashed = bcrypt_hash('correct horse', 'host1:prometheus')
    assert hashed.startswith('$2b$10$')
    assert bcrypt.checkpw(b'correct horse', hashed.encode())
    assert not bcrypt.checkpw(b'wrong horse', hashed.encode())


def test_same_input_gives_same_hash():
    assert bcrypt_hash('pw', 'host1:u') == bcrypt_hash('pw', 'host1:u')


def test_seed_changes_salt():
    assert bcrypt_hash('pw', 'host1:u') != bcrypt_hash('pw', 'host2:u')


def test_password_change_changes_hash():
    assert bcrypt_hash('pw1', 'host1:u') != bcrypt_hash('pw2', 'host1:u')


def test_salt_is_canonical_bcrypt_salt():
    salt = stable_salt('seed', 12)
    assert len(salt) == 29
    assert salt.startswith(b'$2b$12$')
    # bcrypt itself must accept it and round-trip the salt part
    assert bcrypt.hashpw(b'x', salt)[:29] == salt


@pytest.mark.parametrize('password, message', [
    ('', 'empty'),
    ('x' * 73, 'at most 72 bytes'),
    (None, 'must be a string'),
])
def test_bad_passwords_fail_clearly(password, message):
    with pytest.raises(AnsibleFilterError, match=message):
        bcrypt_hash(password, 'seed')


def test_bad_rounds():
    with pytest.raises(AnsibleFilterError, match='rounds'):
        bcrypt_hash('pw', 'seed', rounds=3)


@pytest.mark.parametrize('rounds', [3, 32, 'abc', '10', 10.0, None, True, False, [10]])
def test_rounds_not_a_whole_number_from_4_to_31_fail_clearly(rounds):
    with pytest.raises(AnsibleFilterError, match='rounds must be a whole number from 4 to 31'):
        bcrypt_hash('pw', 'seed', rounds=rounds)


def test_rounds_bounds_accepted():
    assert stable_salt('seed', 4).startswith(b'$2b$04$')
    assert stable_salt('seed', 31).startswith(b'$2b$31$')
