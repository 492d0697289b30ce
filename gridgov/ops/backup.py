"""`gridgov backup FILE` / `gridgov restore FILE`: the database and the files together, in one archive.

The archive is a tar file (gzip) holding

- ``database.sqlite3`` (SQLite: a copy made with SQLite's online backup API, consistent while the site runs) or
  ``database.pgdump`` (PostgreSQL: ``pg_dump --format=custom``, one consistent snapshot);
- ``files/<name>`` for every file of the file storage (``STORAGES["default"]``: the local disk or the object
  store, read through the storage API);
- ``manifest.json``: when, which database engine, and the size and SHA-256 of every member.

Consistent together: the database is dumped FIRST, then the files are copied. Files are content-addressed and
written before the row that names them commits, and never changed afterwards, so every file the dump refers to
exists when the files are copied; a file added meanwhile is merely extra. (An import file parked under
``imports/`` is deleted when its job ends: one copied is harmless, one missing is a job that had finished.)

Restore checks every member against the manifest before touching anything, refuses a database that is not empty
(restore into a new one: an empty PostgreSQL database, or a SQLite path with no file yet), then loads the
database (``pg_restore`` / a file copy) and puts the files back through the storage API.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

FORMAT = "gridgov-backup/1"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message (Chinese) says why."""


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _db() -> dict:
    return settings.DATABASES["default"]


def _vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"不支持的数据库：{engine}")


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _walk(storage, folder: str = ""):
    dirs, files = storage.listdir(folder)
    for f in sorted(files):
        yield f"{folder}/{f}" if folder else f
    for d in sorted(dirs):
        yield from _walk(storage, f"{folder}/{d}" if folder else d)


def _storage():
    from django.core.files.storage import default_storage

    return default_storage


def dump_database(target_dir: Path) -> Path:
    db = _db()
    vendor = _vendor(db)
    if vendor == "sqlite":
        out = target_dir / "database.sqlite3"
        src = sqlite3.connect(str(db["NAME"]))
        dst = sqlite3.connect(str(out))
        try:
            src.backup(dst)  # the online backup API: a consistent copy while others write
        finally:
            dst.close()
            src.close()
        return out
    out = target_dir / "database.pgdump"
    args, env = _pg_env(db)
    r = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out), *args], env=env,
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise BackupError(f"pg_dump 失败：{r.stderr.strip()[:300]}")
    return out


def backup(archive: str | Path, out=print) -> dict:
    """Write the archive; returns the manifest."""
    archive = Path(archive)
    storage = _storage()
    with tempfile.TemporaryDirectory(prefix="gridgov-backup-") as tmp:
        dump = dump_database(Path(tmp))
        members = [{"name": dump.name, "size": dump.stat().st_size, "sha256": _sha256_file(dump)}]
        out(f"数据库：{dump.name}（{members[0]['size']} 字节）")
        tmp_archive = archive.with_name(archive.name + ".partial")
        with tarfile.open(tmp_archive, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            n = 0
            for name in _walk(storage):
                if name.endswith(".tmp"):
                    continue
                with storage.open(name, "rb") as f:
                    data = f.read()
                info = tarfile.TarInfo("files/" + name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                members.append({"name": "files/" + name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
                n += 1
            manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "database": _vendor(_db()), "members": members}
            blob = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(blob)
            tar.addfile(info, io.BytesIO(blob))
        os.replace(tmp_archive, archive)
    out(f"文件：{n} 个；备份已写入 {archive}")
    return manifest


def _read_checked(archive: Path, tmp: Path) -> dict:
    """Unpack into ``tmp`` and check every member against the manifest (nothing else is touched yet)."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as e:
        raise BackupError(f"无法读取备份文件：{e}") from e
    with tar:
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())
        except (KeyError, AttributeError, ValueError) as e:
            raise BackupError("备份文件缺少清单 manifest.json") from e
        if manifest.get("format") != FORMAT:
            raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
        for m in manifest["members"]:
            name = m["name"]
            if name.startswith("/") or ".." in name.split("/"):
                raise BackupError(f"备份中的文件名无效：{name}")
            try:
                f = tar.extractfile(name)
            except KeyError:
                f = None
            if f is None:
                raise BackupError(f"备份不完整：缺少 {name}")
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as w:
                shutil.copyfileobj(f, w)
            if _sha256_file(target) != m["sha256"]:
                raise BackupError(f"备份已损坏：{name} 的校验和不符")
    return manifest


def _empty_sqlite(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    with sqlite3.connect(str(path)) as c:
        return c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0


def _empty_pg() -> bool:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
        return cur.fetchone()[0] == 0


def restore(archive: str | Path, out=print) -> dict:
    archive = Path(archive)
    db = _db()
    vendor = _vendor(db)
    with tempfile.TemporaryDirectory(prefix="gridgov-restore-") as tmp:
        tmp = Path(tmp)
        manifest = _read_checked(archive, tmp)
        if manifest["database"] != vendor:
            raise BackupError(f"备份来自 {manifest['database']} 数据库，当前配置的是 {vendor}")
        if vendor == "sqlite":
            target = Path(db["NAME"])
            if not _empty_sqlite(target):
                raise BackupError(f"目标数据库 {target} 不是空的：请恢复到新的数据库")
            from django.db import connections

            connections.close_all()
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp / "database.sqlite3", target)
        else:
            if not _empty_pg():
                raise BackupError(f"目标数据库 {db['NAME']} 不是空的：请恢复到新建的空数据库")
            args, env = _pg_env(db)
            r = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *args,
                                str(tmp / "database.pgdump")], env=env, capture_output=True, text=True)
            if r.returncode != 0:
                raise BackupError(f"pg_restore 失败：{r.stderr.strip()[:300]}")
        out("数据库已恢复")
        storage = _storage()
        n = 0
        for m in manifest["members"]:
            if not m["name"].startswith("files/"):
                continue
            name = m["name"][len("files/"):]
            data = (tmp / m["name"]).read_bytes()
            if storage.exists(name):
                storage.delete(name)
            storage.save(name, ContentFile(data))
            n += 1
        out(f"文件已恢复：{n} 个")
    return manifest
