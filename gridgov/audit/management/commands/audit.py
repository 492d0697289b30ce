"""``gridgov audit verify | anchor | keygen``: the audit hash chain and its signed anchors outside the database.

- ``verify``: check the whole chain (exit 1 naming the first tampered record), then every anchor of the anchor
  file: a valid signature, and its (id, hash) still in the chain (exit 1 naming the first anchor that no longer
  matches: the chain was rewritten whole). ``--no-anchors`` checks the chain only.
- ``anchor``: check the chain, sign its head and append the anchor (``gridgov serve`` does it once a day).
- ``keygen PATH``: a new Ed25519 signing key (and ``PATH.pub``) for GRIDGOV_AUDIT_SIGNING_KEY.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.audit import anchoring, services


class Command(BaseCommand):
    help = ("审计日志：gridgov audit verify 校验整条哈希链及其锚点，发现篡改时指出第一条被篡改的记录（或第一个不符的锚点）"
            "并以非零状态退出；gridgov audit anchor 写入一个签名锚点；gridgov audit keygen PATH 生成签名密钥")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor", "keygen"],
                            help="verify：校验审计链和锚点；anchor：写入锚点；keygen：生成签名密钥")
        parser.add_argument("path", nargs="?", help="keygen：私钥文件的路径（公钥写到 PATH.pub）")
        parser.add_argument("--batch", type=int, default=5000, help="每批读取的记录数（默认 5000）")
        parser.add_argument("--no-anchors", action="store_true", help="verify：只校验哈希链，不核对锚点")
        parser.add_argument("--anchors", help="verify：锚点文件（默认 GRIDGOV_AUDIT_ANCHOR_DIR/anchors.jsonl）")

    def handle(self, action, path, batch, no_anchors, anchors, **options):
        try:
            if action == "keygen":
                return self._keygen(path)
            if action == "anchor":
                return self._anchor()
            return self._verify(batch, no_anchors, Path(anchors) if anchors else None)
        except anchoring.AnchorError as e:
            raise CommandError(e.message) from e

    def _keygen(self, path):
        if not path:
            raise CommandError("请给出私钥文件的路径：gridgov audit keygen /安全位置/audit-signing-key.pem")
        pub = anchoring.write_key(Path(path))
        self.stdout.write(f"已生成签名私钥 {path}（仅所有者可读）和公钥 {pub}。\n"
                          f"设置 GRIDGOV_AUDIT_SIGNING_KEY={path}；校验方只需公钥：GRIDGOV_AUDIT_PUBLIC_KEY={pub}")

    def _anchor(self):
        a = anchoring.write_anchor()
        self.stdout.write(f"已写入锚点：第 {a.id} 号记录，哈希 {a.hash[:16]}…，写入 {anchoring.anchor_file()}")

    def _verify(self, batch, no_anchors, path):
        if services.guard_active() is False:
            self.stderr.write("警告：数据库的审计保护触发器缺失或被停用（见迁移 audit 0002）")
        report = services.verify_chain(batch=batch)
        if not report.ok:
            raise CommandError(services.describe(report))
        self.stdout.write(services.describe(report))
        if no_anchors:
            return
        checked = anchoring.verify_anchors(path)
        if not checked.ok:
            raise CommandError(checked.message)
        if checked.count == 0:
            self.stderr.write(f"警告：没有锚点（{path or anchoring.anchor_file()}）：无法发现整条链被改写；"
                              "请定期运行 gridgov audit anchor（gridgov serve 每天自动写入）")
        else:
            self.stdout.write(checked.message)
