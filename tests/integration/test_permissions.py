"""The scoping primitive on every endpoint, for every post: anonymous 401, no right 403, out of scope 404, in scope 2xx.

The expected answers come from the hand-written table of tests/matrix.py, never from the production RIGHTS."""

import json

import pytest

from gridgov.accounts.roles import RIGHTS, Role
from gridgov.accounts.scope import scope_prefix
from gridgov.geo.models import Grid, GridDuty
from tests.matrix import POSTS_WITH, call, expected, holds


def test_rights_are_the_spec():
    """Each post holds exactly the rights the hand-written table gives it (tests/matrix.py: POSTS_WITH)."""
    assert {str(r) for rs in RIGHTS.values() for r in rs} == set(POSTS_WITH)
    differences = {(str(role), right): right in RIGHTS[role] for role in Role for right in POSTS_WITH
                   if (right in RIGHTS[role]) != holds(str(role), right)}
    assert differences == {}


DEMO = ["admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader", "gridworker",
        "handler", "resident"]

# targets: a grid in the demo grid worker's own management grid, one in another community of the same street,
# one in another street, one in another district
TARGETS = {
    "own_grid": ("management", "110101001001W001"),
    "same_street": ("management", "110101001002W001"),
    "other_street": ("management", "110101002001W001"),
    "other_district": ("management", "110102001004W001"),
}


def grid_endpoints(layer, code):
    base = f"/api/v1/grids/{layer}/{code}"
    return [
        ("get", base, None, "geo.view"),
        ("patch", base, {"grid_class": "1"}, "geo.edit"),
        ("put", base + "/duties", [], "geo.edit"),
        ("get", f"/api/v1/tree/{code[:12]}", None, "geo.view"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("username", [None, *DEMO])
def test_object_endpoints_matrix(username, client_for, users):
    client = client_for(username)
    user = users.get(username)
    seen = set()
    for layer, code in TARGETS.values():
        grid = Grid.objects.get(layer__code=layer, code=code)
        assert Grid.objects.filter(code=code).exists()
        for method, path, body, right in grid_endpoints(layer, code):
            key = grid.scope_key if "/grids/" in path else code[:12]
            before = list(Grid.objects.filter(pk=grid.pk).values()) + list(GridDuty.objects.filter(grid=grid).values())
            r = call(client, method, path, body)
            want = expected(user, right, key)
            assert r.status_code == want, (username, method, path, r.status_code, r.content[:200])
            body_json = r.json()
            if want != 200:
                assert body_json["code"] and body_json["message"], body_json
                after = list(Grid.objects.filter(pk=grid.pk).values()) + list(GridDuty.objects.filter(grid=grid).values())
                assert after == before, "a refused request wrote something"
            seen.add(want)
    # every account meets at least two different answers across the targets, so the matrix is not vacuous
    assert len(seen) >= 2 or username in (None, "resident")


@pytest.mark.django_db
@pytest.mark.parametrize("path,right", [
    ("/api/v1/tree", "geo.view"),
    ("/api/v1/layers", "geo.view"),
    ("/api/v1/grids?layer=management", "geo.view"),
    ("/api/v1/locate?lon=116.40&lat=39.92", "geo.locate"),
    ("/api/v1/me", None),
])
@pytest.mark.parametrize("username", [None, *DEMO])
def test_list_endpoints(path, right, username, client_for, users):
    r = client_for(username).get(path)
    user = users.get(username)
    if user is None:
        assert r.status_code == 401
    elif right and not holds(user.role, right):
        assert r.status_code == 403
    else:
        assert r.status_code == 200, r.content[:300]
        if path.startswith("/api/v1/grids"):
            prefix = scope_prefix(user)
            codes = [f["properties"]["code"] for f in r.json()["features"]]
            assert codes, "in-scope list should not be empty"
            keys = dict(Grid.objects.filter(layer__code="management", code__in=codes).values_list("code", "scope_key"))
            assert all(keys[c].startswith(prefix) for c in codes)
            assert len(codes) == Grid.objects.filter(layer__code="management", scope_key__startswith=prefix).count()
        if path == "/api/v1/tree":
            prefix = scope_prefix(user)
            codes = [n["code"] for n in r.json()["items"]]
            inside = [c for c in codes if c.startswith(prefix)]
            above = [c for c in codes if not c.startswith(prefix)]
            assert all(prefix.startswith(c) for c in above), "only the path above one's node may be outside scope"
            assert len(inside) == len(set(inside))


@pytest.mark.django_db
def test_grid_leader_sees_nothing_of_the_next_community(client_for):
    c = client_for("gridleader")
    fc = c.get("/api/v1/grids?layer=unit").json()
    communities = {f["properties"]["community_code"] for f in fc["features"]}
    assert communities == {"110101001001"}
    assert c.get("/api/v1/grids?layer=unit&community=110101001002").json()["features"] == []
    assert c.get("/api/v1/tree/110101001002").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("username,target", [("gridleader", "110101001002"), ("admin", "110102001004")])
def test_nobody_moves_a_grid_out_of_their_subtree(username, target, client_for):
    grid = Grid.objects.filter(layer__code="unit", community__code="110101001001").order_by("code").first()
    before = (grid.code, grid.community_id, grid.scope_key)
    r = client_for(username).patch(f"/api/v1/grids/unit/{grid.code}", data=json.dumps({"community_code": target}),
                                   content_type="application/json")
    assert r.status_code == 404
    grid.refresh_from_db()
    assert (grid.code, grid.community_id, grid.scope_key) == before


@pytest.mark.django_db
def test_moving_within_scope_renumbers_the_grid(client_for):
    grid = Grid.objects.filter(layer__code="unit", community__code="110101001001").order_by("code").first()
    last = Grid.objects.filter(layer__code="unit", community__code="110101001002").order_by("-code").first()
    r = client_for("admin").patch(
        f"/api/v1/grids/unit/{grid.code}", data=json.dumps({"community_code": "110101001002"}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    new_code = r.json()["properties"]["code"]
    assert new_code == f"110101001002{int(last.code[-3:]) + 1:03d}"
    grid.refresh_from_db()
    assert grid.community.code == "110101001002" and grid.code == new_code


@pytest.mark.django_db
def test_token_auth(users, client):
    from gridgov.accounts.models import ApiToken

    r = client.post("/api/v1/auth/token", data=json.dumps({"username": "gridleader", "password": "wrong"}),
                    content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "bad_credentials"
    assert not ApiToken.objects.exists()
    r = client.post("/api/v1/auth/token", data=json.dumps({"username": "gridleader", "password": "gridgov-demo"}),
                    content_type="application/json")
    assert r.status_code == 201
    token = r.json()["token"]
    assert not ApiToken.objects.filter(digest=token).exists(), "the key itself is never stored"
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["username"] == "gridleader" and me.json()["scope"] == "110101001001"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer gg_not-a-token").status_code == 401
