"""Password hashes for clinic users: scrypt (memory-hard) with a per-user random salt, stored as
one self-describing string so the cost can be raised later without breaking old hashes.

A password is never logged, stored or put in an exception message; only its hash is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
# scrypt needs about 128 * n * r bytes; leave room for parameters raised later.
_MAX_MEMORY = 256 * 1024 * 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEMORY, dklen=length
    )


def hash_password(password: str) -> str:
    """`scrypt$16384$8$1$<salt base64>$<hash base64>` for `password`, with a fresh salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, N, R, P, HASH_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from; False for a malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(digest, validate=True)
        computed = _scrypt(
            password, base64.b64decode(salt, validate=True), int(n), int(r), int(p), len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, expected)


def burn_time(password: str) -> None:
    """As long as checking a password takes: an unknown name answers no faster than a wrong
    password, so the timing does not say which of the two was wrong."""
    _scrypt(password, b"\0" * SALT_BYTES, N, R, P, HASH_BYTES)
