"""Encryption at rest and keyed lookup hashes for identity fields (design section 4, rule 2).

* Encryption: Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) through ``MultiFernet``.
  ``FIELD_ENCRYPTION_KEY`` holds one or more base64-encoded 32-byte keys separated by commas; the
  first encrypts, all decrypt. Rotating = put the new key first, run
  ``manage.py deltagare_rotera_nycklar``, then drop the old key.
* Lookup: HMAC-SHA256 over the normalised number with ``PERSONNUMMER_HMAC_KEY`` (its own secret,
  comma-separated for rotation in the same way). The same number always gives the same hash under
  one key, so a person is found again without decrypting anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _fernet_key(raw: str) -> bytes:
    """Accept standard or URL-safe base64 of 32 bytes and give Fernet's URL-safe form."""
    normal = raw.replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(normal + "=" * (-len(normal) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY är inte giltig base64.") from None
    if len(key) < 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY ska vara minst 32 byte (base64-kodade).")
    if len(key) > 32:
        # Longer key material (the development default is 34 bytes) is stretched to exactly
        # 32 bytes with HKDF rather than truncated.
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"finsam-field-encryption"
        ).derive(key)
    return base64.urlsafe_b64encode(key)


@lru_cache(maxsize=4)
def _multifernet(setting: str) -> MultiFernet:
    keys = _split(setting)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY saknas.")
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def _cipher() -> MultiFernet:
    return _multifernet(settings.FIELD_ENCRYPTION_KEY)


UNREADABLE = "Krypterat fält kan inte läsas med de angivna nycklarna."


def encrypt_text(value: str) -> str:
    """Encrypt text; returns an ASCII token. Empty text stays empty (nothing to protect)."""
    if value == "":
        return ""
    return _cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    if token == "":
        return ""
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise ImproperlyConfigured(
            "Krypterat fält kan inte läsas med de angivna nycklarna."
        ) from None


def encrypt_bytes(value: bytes) -> bytes:
    return _cipher().encrypt(value)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher().decrypt(bytes(token))
    except InvalidToken:
        raise ImproperlyConfigured(
            "Krypterat fält kan inte läsas med de angivna nycklarna."
        ) from None


def rotate_text(token: str) -> str:
    """Re-encrypt a token under the current (first) key."""
    if token == "":
        return ""
    return _cipher().rotate(token.encode("ascii")).decode("ascii")


def rotate_bytes(token: bytes) -> bytes:
    return _cipher().rotate(bytes(token))


def _hmac_keys() -> list[bytes]:
    keys = _split(settings.PERSONNUMMER_HMAC_KEY)
    if not keys:
        raise ImproperlyConfigured("PERSONNUMMER_HMAC_KEY saknas.")
    return [k.encode("utf-8") for k in keys]


def lookup_hash(normalised: str) -> str:
    """The keyed hash stored with a Person (current key)."""
    return hmac.new(_hmac_keys()[0], normalised.encode("ascii"), hashlib.sha256).hexdigest()


def lookup_hashes(normalised: str) -> list[str]:
    """Hashes under every configured key, for finding a person during a key rotation."""
    return [
        hmac.new(k, normalised.encode("ascii"), hashlib.sha256).hexdigest() for k in _hmac_keys()
    ]
