"""Creating accounts: every account gets a valid post and a node of the tree (or a department)."""

from django.db import transaction

from gridgov.geo.errors import GeoError, NotFound
from gridgov.geo.models import Grid, Jurisdiction

from .models import ApiToken, Department, User
from .roles import BOUND_LEVEL, ROLE_LABELS, Role


def node_key_for(node: str) -> str:
    """Turn what a person types (a jurisdiction code, or a grid code) into the node key used for scoping."""
    node = (node or "").strip()
    if not node:
        return ""
    if Jurisdiction.objects.filter(code=node).exists():
        return node
    grid = Grid.objects.filter(code=node).order_by("layer_id").first()
    if grid is None:
        raise NotFound("unknown_node", f"找不到节点「{node}」：应为区县/街道/社区代码或网格编码")
    return grid.scope_key


@transaction.atomic
def create_user(
    username: str, role: str, *, node: str = "", department: str = "", password: str | None = None,
    display_name: str = "", token: bool = False,
) -> tuple[User, str | None]:
    if role not in Role.__members__.values() and role not in [r.value for r in Role]:
        choices = "、".join(f"{r.value}（{ROLE_LABELS[r]}）" for r in Role)
        raise GeoError("invalid_role", f"未知岗位「{role}」，可选：{choices}")
    if User.objects.filter(username=username).exists():
        raise GeoError("username_taken", f"用户名「{username}」已存在")
    dept = None
    if department:
        dept = Department.objects.filter(code=department).first()
        if dept is None:
            raise NotFound("unknown_department", f"找不到部门「{department}」")
    key = node_key_for(node)
    needs = BOUND_LEVEL[Role(role)]
    if needs == "department" and dept is None:
        raise GeoError("department_required", f"{ROLE_LABELS[Role(role)]}须绑定一个专业部门（--department）")
    if needs not in ("department", "none") and not key:
        raise GeoError("node_required", f"{ROLE_LABELS[Role(role)]}须绑定一个辖区节点或网格（--node）")
    user = User(username=username, role=role, node_key=key, department=dept, display_name=display_name,
                is_staff=role == Role.ADMIN)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    key_text = ApiToken.issue(user, "cli")[1] if token else None
    return user, key_text
