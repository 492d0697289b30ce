"""Where photo and document files live: Django's storage API (``STORAGES["default"]``, issue #12).

Every file (case photos, task attachments and drill photos, inspection and assessment evidence, appeal files) is
saved by :func:`photo_store` under the name ``photos/ab/cd/<sha256>.<ext>`` (content-addressed: the same bytes are
stored once) and read back by that key. The storage is configuration (gridgov/settings.py):

- default: :class:`DataDirStorage`, the local disk under ``<GRIDGOV_DATA_DIR>/media`` — the very paths the former
  ``DiskStore`` wrote (``media/photos/ab/cd/…``), so existing files are found where they are;
- ``GRIDGOV_S3_BUCKET`` set: S3-compatible object storage through django-storages (AWS S3, 阿里云 OSS, 腾讯云 COS,
  MinIO…; ``GRIDGOV_S3_ENDPOINT_URL`` and friends), shared by every machine.
"""

import hashlib
import os
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.module_loading import import_string

PREFIX = "photos/"


class PhotoStore(Protocol):
    def save(self, data: bytes, suffix: str) -> str: ...  # returns a storage key
    def open(self, key: str) -> bytes: ...


class DataDirStorage(FileSystemStorage):
    """The local disk under ``<DATA_DIR>/media``, the folder read at each use (so a changed ``settings.DATA_DIR``
    — the tests' throw-away folder — is honoured); files are written to a temporary name and renamed, so a reader
    never sees half a file."""

    def __init__(self, location=None, allow_overwrite=True, **kwargs):  # content-addressed: same name, same bytes
        super().__init__(location=location, allow_overwrite=allow_overwrite, **kwargs)

    @property
    def base_location(self):
        return self._location or str(Path(settings.DATA_DIR) / "media")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def _save(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{id(content)}.tmp")
        with open(tmp, "wb") as f:
            for chunk in content.chunks():
                f.write(chunk)
        os.replace(tmp, path)  # same bytes → same name: replacing is harmless
        return name


class StorageStore:
    """Files through a Django storage (default: ``default_storage``), named ``photos/<key>``."""

    def __init__(self, storage=None):
        self.storage = storage or default_storage

    def save(self, data: bytes, suffix: str) -> str:
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"
        name = PREFIX + key
        if not self.storage.exists(name):
            self.storage.save(name, ContentFile(data))
        return key

    def open(self, key: str) -> bytes:
        if not key or key.startswith(("/", "\\")) or ".." in key.replace("\\", "/").split("/"):
            raise FileNotFoundError(key)
        try:
            with self.storage.open(PREFIX + key, "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise
        except OSError as e:
            raise FileNotFoundError(key) from e


DiskStore = StorageStore  # the former name (GRIDGOV_PHOTO_STORE may still say gridgov.cases.storage.DiskStore)


def photo_store() -> PhotoStore:
    dotted = settings.GRIDGOV.get("PHOTO_STORE", "gridgov.cases.storage.StorageStore")
    return import_string(dotted)()
