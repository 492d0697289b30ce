"""Signed anchors of the audit chain's head (锚点) — pure Python (``cryptography``), no Django import.

The hash chain shows any edit, deletion or insertion — unless someone with full power over the database
rewrites the chain whole (every hash and the head recomputed). An anchor is the head as it was at a moment,
``(id, hash, time)``, signed with an Ed25519 key that lives outside the database, and appended as one JSON
line to a file outside the database. A rewritten chain no longer holds the anchored (id, hash): the verifier
needs only the public key to notice, and cannot be fooled by a forged line (its signature does not verify).

Line format (UTF-8, one JSON object per line, keys sorted)::

    {"hash": "<64 hex>", "id": 1234, "key": "<16 hex: fingerprint of the public key>",
     "signature": "<base64 Ed25519 signature>", "time": "2026-12-03T02:00:00.000000+00:00"}

The signed message is ``PREFIX`` followed by the compact sorted-key JSON of ``{"hash", "id", "time"}``.
"""

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = b"gridgov-audit-anchor-v1\n"


class AnchorKeyError(ValueError):
    """A key file that is not an Ed25519 key."""


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    time: str  # ISO 8601, UTC
    key: str = ""
    signature: str = ""
    line: int = 0  # line number in the file (1-based), 0 when not read from a file


def message(record_id: int, record_hash: str, time: str) -> bytes:
    body = json.dumps({"hash": record_hash, "id": int(record_id), "time": time}, sort_keys=True,
                      separators=(",", ":"))
    return PREFIX + body.encode()


def generate_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private(pem: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        raise AnchorKeyError("签名密钥文件不是 PEM 格式的私钥") from e
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorKeyError("签名密钥必须是 Ed25519 私钥")
    return key


def load_public(pem: bytes) -> Ed25519PublicKey:
    """A public key from PEM; a private key's PEM gives its public half."""
    if b"PRIVATE KEY" in pem:
        return load_private(pem).public_key()
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as e:
        raise AnchorKeyError("公钥文件不是 PEM 格式的公钥") from e
    if not isinstance(key, Ed25519PublicKey):
        raise AnchorKeyError("验证公钥必须是 Ed25519 公钥")
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, record_id: int, record_hash: str, time: str) -> Anchor:
    signature = key.sign(message(record_id, record_hash, time))
    return Anchor(int(record_id), record_hash, time, fingerprint(key.public_key()),
                  base64.b64encode(signature).decode())


def to_line(anchor: Anchor) -> str:
    return json.dumps({"hash": anchor.hash, "id": anchor.id, "key": anchor.key, "signature": anchor.signature,
                       "time": anchor.time}, sort_keys=True, separators=(",", ":")) + "\n"


class BadLine(ValueError):
    def __init__(self, line: int, reason: str):
        super().__init__(f"锚点文件第 {line} 行{reason}")
        self.line, self.reason = line, reason


def parse(lines: Iterable[str]) -> Iterator[Anchor]:
    """The anchors of a file, in order; a line that is not an anchor raises :class:`BadLine` (blank lines skip)."""
    for n, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            doc = json.loads(text)
            anchor = Anchor(int(doc["id"]), str(doc["hash"]), str(doc["time"]), str(doc.get("key", "")),
                            str(doc["signature"]), n)
        except (ValueError, KeyError, TypeError):
            raise BadLine(n, "不是有效的锚点（格式错误）") from None
        yield anchor


def signature_ok(key: Ed25519PublicKey, anchor: Anchor) -> bool:
    try:
        key.verify(base64.b64decode(anchor.signature, validate=True), message(anchor.id, anchor.hash, anchor.time))
    except (InvalidSignature, ValueError):
        return False
    return True
