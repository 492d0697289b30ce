"""Anchoring the audit chain outside the database (审计链锚点): writing signed heads, checking the chain against them.

Settings (``settings.GRIDGOV``, from the environment):

- ``AUDIT_ANCHOR_DIR`` (``GRIDGOV_AUDIT_ANCHOR_DIR``; default ``DATA_DIR/audit-anchors``): the folder of
  ``anchors.jsonl``, the append-only file of signed anchors. Put it where the database's administrators cannot
  write (another machine's share, a WORM bucket mounted read-append, a backup that is kept).
- ``AUDIT_SIGNING_KEY`` (``GRIDGOV_AUDIT_SIGNING_KEY``): path of the Ed25519 private key (PEM) that signs
  anchors; ``gridgov audit keygen PATH`` makes one. ``gridgov demo`` generates one into the data folder
  (``DATA_DIR/audit-signing-key.pem``), which is used when the setting is empty — for the demo only.
- ``AUDIT_PUBLIC_KEY`` (``GRIDGOV_AUDIT_PUBLIC_KEY``): path of the public key that checks anchors (a verifier
  needs only this one); by default the public half of the signing key.
- ``AUDIT_ANCHOR_INTERVAL_S`` (``GRIDGOV_AUDIT_ANCHOR_INTERVAL_S``, default 86400): `gridgov serve` writes an
  anchor when the last one is older than this (0: never).
- ``AUDIT_ANCHOR_MAIL_TO`` (``GRIDGOV_AUDIT_ANCHOR_MAIL_TO``, comma-separated): also mail each anchor there
  (Django's e-mail settings), so a copy lives in the administrators' mailboxes.
"""

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from gridgov.errors import DomainError

from . import services
from .logic import anchor as pure
from .logic.chain import iso_utc
from .models import AuditHead, AuditRecord

log = logging.getLogger("gridgov.audit")
FILE_NAME = "anchors.jsonl"
DEMO_KEY_NAME = "audit-signing-key.pem"


class AnchorError(DomainError):
    pass


def _conf(name: str, default=None):
    return settings.GRIDGOV.get(name) or default


def anchor_dir() -> Path:
    return Path(_conf("AUDIT_ANCHOR_DIR", Path(settings.DATA_DIR) / "audit-anchors"))


def anchor_file() -> Path:
    return anchor_dir() / FILE_NAME


def demo_key_path() -> Path:
    return Path(settings.DATA_DIR) / DEMO_KEY_NAME


def signing_key_path() -> Path | None:
    configured = _conf("AUDIT_SIGNING_KEY")
    if configured:
        return Path(configured)
    return demo_key_path() if demo_key_path().exists() else None


NO_KEY = ("没有审计签名密钥：请用 gridgov audit keygen /安全位置/audit-signing-key.pem 生成，"
          "并设置 GRIDGOV_AUDIT_SIGNING_KEY 指向它（密钥应保存在数据库之外）")


def signing_key():
    path = signing_key_path()
    if path is None:
        raise AnchorError("no_signing_key", NO_KEY)
    try:
        return pure.load_private(path.read_bytes())
    except OSError as e:
        raise AnchorError("signing_key_unreadable", f"无法读取审计签名密钥 {path}：{e.strerror}") from e
    except pure.AnchorKeyError as e:
        raise AnchorError("invalid_signing_key", f"{path}：{e}") from e


def public_key():
    """The key that checks anchors, or None when neither a public nor a signing key is configured."""
    configured = _conf("AUDIT_PUBLIC_KEY")
    path = Path(configured) if configured else signing_key_path()
    if path is None:
        return None
    try:
        return pure.load_public(path.read_bytes())
    except OSError as e:
        raise AnchorError("public_key_unreadable", f"无法读取审计验证公钥 {path}：{e.strerror}") from e
    except pure.AnchorKeyError as e:
        raise AnchorError("invalid_public_key", f"{path}：{e}") from e


def write_key(path: Path) -> Path:
    """A new Ed25519 signing key at ``path`` (owner-only) and its public key at ``path.pub``; never overwrites."""
    path = Path(path)
    if path.exists():
        raise AnchorError("key_exists", f"{path} 已存在，不会覆盖")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = pure.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pure.private_pem(key))
    pub = path.with_name(path.name + ".pub")
    pub.write_bytes(pure.public_pem(key.public_key()))
    return pub


def ensure_demo_key() -> Path:
    """Demo mode: a signing key in the data folder (made once), unless one is configured."""
    configured = _conf("AUDIT_SIGNING_KEY")
    if configured:
        return Path(configured)
    if not demo_key_path().exists():
        write_key(demo_key_path())
    return demo_key_path()


# ---------------------------------------------------------------- writing


def write_anchor(now: dt.datetime | None = None) -> pure.Anchor:
    """Check the chain, then sign its head and append the anchor to the file (and mail it when configured).

    A chain that fails verification is not anchored (that would bless the tampering): AnchorError.
    """
    key = signing_key()
    report = services.verify_chain()
    if not report.ok:
        raise AnchorError("chain_broken", "审计链校验未通过，不写锚点：" + services.describe(report))
    head = AuditHead.objects.filter(pk=services.HEAD_ID).values_list("last_id", "last_hash").first()
    if head is None or head[0] == 0:
        raise AnchorError("chain_empty", "审计链还没有记录，无需锚定")
    moment = iso_utc(now or timezone.now())
    anchor = pure.sign(key, head[0], head[1], moment)
    line = pure.to_line(anchor)
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    _mail(line)
    return anchor


def _mail(line: str) -> None:
    to = [a.strip() for a in str(_conf("AUDIT_ANCHOR_MAIL_TO", "")).split(",") if a.strip()]
    if not to:
        return
    from django.core.mail import send_mail

    try:
        send_mail("gridgov 审计链锚点", "请保存此行（审计链锚点，用于 gridgov audit verify）：\n\n" + line, None, to)
    except Exception:  # the file is the anchor; a mail that fails must not lose it
        log.exception("audit anchor mail failed")


def read_anchors(path: Path | None = None) -> list[pure.Anchor]:
    path = path or anchor_file()
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as f:
        return list(pure.parse(f))


def last_anchor_time(path: Path | None = None) -> dt.datetime | None:
    try:
        anchors = read_anchors(path)
    except pure.BadLine:
        return None
    return dt.datetime.fromisoformat(anchors[-1].time) if anchors else None


def anchor_due(now: dt.datetime, interval_s: float) -> bool:
    last = last_anchor_time()
    return last is None or (now - last).total_seconds() >= interval_s


# ---------------------------------------------------------------- checking


@dataclass
class AnchorReport:
    ok: bool
    count: int  # anchors checked
    bad: pure.Anchor | None = None
    message: str = ""


def _when(anchor: pure.Anchor) -> str:
    try:
        return timezone.localtime(dt.datetime.fromisoformat(anchor.time)).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return anchor.time


def verify_anchors(path: Path | None = None, key=None) -> AnchorReport:
    """Every anchor's signature must verify and its (id, hash) must still be in the chain; names the first that
    does not. Call after :func:`services.verify_chain`: a consistent chain that lost an anchored hash was
    rewritten whole."""
    try:
        anchors = read_anchors(path)
    except pure.BadLine as e:
        return AnchorReport(False, 0, None, str(e) + "（锚点文件被改动）")
    if not anchors:
        return AnchorReport(True, 0, None, "没有锚点")
    key = key or public_key()
    if key is None:
        return AnchorReport(False, 0, anchors[0], "有锚点但没有验证公钥：请设置 GRIDGOV_AUDIT_PUBLIC_KEY")
    stored: dict[int, str] = {}
    ids = sorted({a.id for a in anchors})
    for start in range(0, len(ids), 1000):
        stored.update(AuditRecord.objects.filter(id__in=ids[start:start + 1000]).values_list("id", "hash"))
    for n, a in enumerate(anchors):
        if not pure.signature_ok(key, a):
            return AnchorReport(False, n, a, f"锚点文件第 {a.line} 行（{_when(a)}）签名无效：锚点被伪造或改动，"
                                             "或不是用此公钥对应的密钥签名的")
        if a.id not in stored:
            return AnchorReport(False, n, a, f"第 {a.id} 号记录与 {_when(a)} 的锚点不符：链中已没有这条记录"
                                             "（记录被删除，链被截短）")
        if stored[a.id] != a.hash:
            return AnchorReport(False, n, a, f"第 {a.id} 号记录与 {_when(a)} 的锚点不符：其哈希已不是锚定时的 "
                                             f"{a.hash[:16]}…（整条链在此之后被改写过）")
    return AnchorReport(True, len(anchors), None, f"{len(anchors)} 个锚点均与审计链相符")


# ---------------------------------------------------------------- in `gridgov serve`


def start_background_anchor(interval_s: float) -> threading.Thread | None:
    """The loop `gridgov serve` runs (``serving.every``): writes an anchor when the last one is ``interval_s`` old
    (checks at once, then every 10 minutes at most). Needs a signing key; without one it does not start (the caller
    says so)."""
    from gridgov.serving import every

    if interval_s <= 0 or signing_key_path() is None:
        return None

    def once():
        try:
            if anchor_due(timezone.now(), interval_s):
                a = write_anchor()
                log.info("audit anchor written: #%d %s", a.id, a.hash[:16])
        except AnchorError as e:
            if e.code != "chain_empty":
                log.error("audit anchor not written: %s", e.message)

    return every("audit-anchor", min(interval_s, 600.0), once, first_after=0)
