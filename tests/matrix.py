"""The permission matrix every scoped endpoint obeys: anonymous 401, no right 403, out of scope 404, in scope 200."""

import json

from gridgov.accounts.roles import RIGHTS, Role
from gridgov.accounts.scope import scope_prefix


def expected(user, right: str, key: str) -> int:
    """The status ``user`` must get for an object whose scope key is ``key`` on an endpoint needing ``right``."""
    if user is None:
        return 401
    if right not in RIGHTS[Role(user.role)]:
        return 403
    prefix = scope_prefix(user)
    if prefix is None or not key.startswith(prefix):
        return 404
    return 200


def call(client, method: str, path: str, body=None):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")
