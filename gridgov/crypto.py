"""Encryption at rest for personal data (ID numbers, phones): AES-256-GCM with a random nonce per value, plus a keyed blind index.

The master key comes from the environment, ``GRIDGOV_DATA_KEY`` (base64 of 32 bytes), and is never stored in
the database. Without it (development, tests, the demo) a key is derived from ``settings.SECRET_KEY`` and a
warning is logged once; `gridgov serve` refuses to run so outside the demo (gridgov/keys.py), and
`gridgov data-key --from-secret-key` prints that derived key, to carry data stored so far over to
GRIDGOV_DATA_KEY. Two sub-keys are derived from the master with HKDF: one encrypts, one computes the blind
index (HMAC-SHA256, for exact look-up and uniqueness without decrypting).

Stored value: ``b"\\x01" + nonce(12) + ciphertext+tag`` (version byte first, so keys can be rotated later).
"""

import base64
import hashlib
import hmac
import logging
import os
import threading

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger("gridgov.crypto")

ENV = "GRIDGOV_DATA_KEY"
VERSION = b"\x01"


class KeyError_(Exception):
    """The configured key is unusable (message names the variable, never the key)."""


class Cipher:
    def __init__(self, master: bytes):
        if len(master) != 32:
            raise KeyError_(f"{ENV} 应为 32 字节密钥的 base64 编码")
        self._aead = AESGCM(_derive(master, b"gridgov-basedata-encrypt"))
        self._index_key = _derive(master, b"gridgov-basedata-blind-index")

    def encrypt(self, text: str, field: str = "") -> bytes:
        """Encrypt one value; ``field`` is bound as associated data so a value cannot be moved to another column."""
        if text is None or text == "":
            return b""
        nonce = os.urandom(12)
        return VERSION + nonce + self._aead.encrypt(nonce, text.encode(), field.encode())

    def decrypt(self, blob: bytes | memoryview | None, field: str = "") -> str:
        if not blob:
            return ""
        blob = bytes(blob)
        if blob[:1] != VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(blob[1:13], blob[13:], field.encode()).decode()

    def encrypt_bytes(self, data: bytes, field: str) -> bytes:
        """Encrypt a file's bytes (scale: an import file parked in the storage until its background job runs)."""
        nonce = os.urandom(12)
        return VERSION + nonce + self._aead.encrypt(nonce, data, field.encode())

    def decrypt_bytes(self, blob: bytes, field: str) -> bytes:
        if blob[:1] != VERSION:
            raise ValueError("unknown ciphertext version")
        return self._aead.decrypt(blob[1:13], blob[13:], field.encode())

    def index(self, text: str, field: str = "") -> str:
        """Blind index: a keyed HMAC of the normalised value (hex); '' for an empty value."""
        if not text:
            return ""
        return hmac.digest(self._index_key, field.encode() + b"\x00" + text.encode(), "sha256").hex()[:40]


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


_lock = threading.Lock()
_cipher: Cipher | None = None
_source: str | None = None


def master_key() -> tuple[bytes, str]:
    raw = os.environ.get(ENV, "").strip()
    if raw:
        try:
            key = base64.b64decode(raw, validate=True)
        except ValueError:
            raise KeyError_(f"{ENV} 不是有效的 base64") from None
        return key, raw
    return derived_master_key(), "secret_key"


def derived_master_key() -> bytes:
    """The master key used while GRIDGOV_DATA_KEY is unset: derived from SECRET_KEY (development and demo only)."""
    from django.conf import settings

    return hashlib.sha256(b"gridgov-basedata-dev-key:" + settings.SECRET_KEY.encode()).digest()


def cipher() -> Cipher:
    """The process-wide cipher; rebuilt if the configured key changes."""
    global _cipher, _source
    key, source = master_key()
    if _cipher is None or source != _source:
        with _lock:
            if source == "secret_key" and _source != "secret_key":
                log.warning("%s 未设置：个人信息加密密钥由 SECRET_KEY 派生，仅可用于开发和测试", ENV)
            _cipher, _source = Cipher(key), source
    return _cipher
