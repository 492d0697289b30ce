"""Where photo files live: a small port, with the local disk as the default adapter.

An object store (S3, OSS, MinIO…) replaces it by implementing ``PhotoStore`` and naming the class in
``settings.GRIDGOV["PHOTO_STORE"]``.
"""

import hashlib
import os
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class PhotoStore(Protocol):
    def save(self, data: bytes, suffix: str) -> str: ...  # returns a storage key
    def open(self, key: str) -> bytes: ...


class DiskStore:
    """Files under ``<GRIDGOV_DATA_DIR>/media/photos/ab/cd/<sha256>.<ext>`` (content-addressed, written atomically)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or Path(settings.DATA_DIR) / "media" / "photos")

    def save(self, data: bytes, suffix: str) -> str:
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"
        path = self.root / key
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return key

    def open(self, key: str) -> bytes:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise FileNotFoundError(key)
        return path.read_bytes()


def photo_store() -> PhotoStore:
    dotted = settings.GRIDGOV.get("PHOTO_STORE", "gridgov.cases.storage.DiskStore")
    return import_string(dotted)()
