from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridgov.accounts.roles import ROLE_LABELS, Role
from gridgov.accounts.services import create_user
from gridgov.errors import DomainError


class Command(BaseCommand):
    help = "创建账号并绑定岗位与管辖节点，例如 gridgov createuser wang --role grid_worker --node 110101001001W001"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="岗位：" + "，".join(f"{r.value}={ROLE_LABELS[r]}" for r in Role))
        parser.add_argument("--node", default="", help="辖区代码（区/街道/社区）或网格编码")
        parser.add_argument("--department", default="", help="专业部门编码（处置人员）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password", default=None)
        parser.add_argument("--token", action="store_true", help="同时生成 API 令牌（只显示一次）")
        parser.add_argument("--token-days", type=int, default=None,
                            help="令牌有效期（天），默认 GRIDGOV_TOKEN_LIFETIME_DAYS（90）")

    def handle(self, username, role, node, department, name, password, token, token_days, **options):
        try:
            user, key = create_user(username, role, node=node, department=department, password=password,
                                    display_name=name, token=token, token_days=token_days)
        except DomainError as e:
            raise CommandError(f"{e.message}（{e.code}）") from e
        self.stdout.write(f"已创建 {user.username}（{user.role_label}），管辖节点 {user.node_key or user.department or '—'}")
        if key:
            token = user.tokens.order_by("-id").first()
            expires = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"API 令牌（只显示这一次，{expires} 到期）：{key}")
