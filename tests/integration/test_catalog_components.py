"""Components (管理部件): creation (code, locating, serials), scope and rights with nothing written on refusal,
status changes, the demo components and the API with its permission matrix."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.accounts.roles import RIGHTS, Role
from gridgov.accounts.scope import NoRight, OutOfScope, scope_prefix
from gridgov.catalog import services
from gridgov.catalog.models import Component, ComponentSerial
from gridgov.errors import DomainError, NotFound
from gridgov.geo.models import Grid

pytestmark = pytest.mark.django_db

OWN_COMMUNITY = "110101001001"  # the demo grid leader's community
OTHER_COMMUNITY = "110101002001"


def unit_grid(community: str, mgmt: str | None = None) -> Grid:
    qs = Grid.objects.filter(layer__code="unit", community__code=community).order_by("code")
    if mgmt:
        qs = qs.filter(parent__code=mgmt)
    return qs.first()


def point_in(grid: Grid) -> tuple[float, float]:
    p = grid.shape.representative_point()
    return p.x, p.y


def snapshot():
    return list(Component.objects.order_by("id").values()), list(ComponentSerial.objects.order_by("id").values())


def test_create_codes_locates_and_increments(users):
    grid = unit_grid(OWN_COMMUNITY)
    lon, lat = point_in(grid)
    a = services.create_component(users["gridleader"], "01002", lon, lat, owner="区水务局", maintainer="排水所")
    b = services.create_component(users["gridleader"], "01002", lon, lat)
    assert len(a.code) == 17 and a.code.isdigit()
    assert a.code[:6] == "110101" and a.code[6:11] == "01002"
    assert int(b.code[11:]) == int(a.code[11:]) + 1 and b.code[:11] == a.code[:11]
    assert a.grid == grid and a.community.code == OWN_COMMUNITY and a.scope_key == grid.scope_key
    assert (a.owner, a.maintainer, a.status) == ("区水务局", "排水所", "intact")
    other = services.create_component(users["admin"], "01037", lon, lat)  # another class: its own serials
    assert other.code[6:11] == "01037"


def test_serials_continue_after_existing_codes_and_are_never_reused(users):
    lon, lat = point_in(unit_grid(OWN_COMMUNITY))
    first = services.create_component(users["admin"], "05009", lon, lat)
    assert first.code == "11010105009000001"
    first.delete()
    second = services.create_component(users["admin"], "05009", lon, lat)
    assert second.code == "11010105009000002"


def test_no_right_writes_nothing(users):
    before = snapshot()
    lon, lat = point_in(unit_grid("110101001001", "110101001001W001"))
    for name in ("gridworker", "leader", "inspector", "handler", "resident"):
        with pytest.raises(NoRight):
            services.create_component(users[name], "01002", lon, lat)
    assert snapshot() == before


def test_out_of_scope_writes_nothing(users):
    before = snapshot()
    lon, lat = point_in(unit_grid(OTHER_COMMUNITY))
    with pytest.raises(OutOfScope):
        services.create_component(users["gridleader"], "01002", lon, lat)
    lon, lat = point_in(unit_grid("110102001004"))  # 西城区: outside the district admin's scope
    with pytest.raises(OutOfScope):
        services.create_component(users["admin"], "01002", lon, lat)
    assert snapshot() == before


@pytest.mark.parametrize("item,lon,lat,code", [
    ("01002", 200, 39.9, "coordinates_out_of_range"),
    ("01002", "abc", 39.9, "invalid_coordinates"),
    ("01002", float("nan"), 39.9, "invalid_coordinates"),
    ("01002", 0.0, 0.0, "outside_jurisdiction"),
    ("06010", None, None, "item_not_found"),  # a matter code is not a component class
    ("01016", None, None, "item_not_found"),  # a gap of the standard
])
def test_bad_input_writes_nothing(users, item, lon, lat, code):
    if lon is None:
        lon, lat = point_in(unit_grid(OWN_COMMUNITY))
    before = snapshot()
    with pytest.raises(DomainError) as e:
        services.create_component(users["admin"], item, lon, lat)
    assert e.value.code == code
    assert snapshot() == before


def test_bad_status_and_text(users):
    lon, lat = point_in(unit_grid(OWN_COMMUNITY))
    with pytest.raises(DomainError) as e:
        services.create_component(users["admin"], "01002", lon, lat, status="broken")
    assert e.value.code == "invalid_status"
    with pytest.raises(DomainError) as e:
        services.create_component(users["admin"], "01002", lon, lat, owner="单" * 101)
    assert e.value.code == "too_long"
    c = services.create_component(users["admin"], "01002", lon, lat, status="破损")  # the Chinese label
    assert c.status == "damaged"


def test_update_status(users):
    lon, lat = point_in(unit_grid(OWN_COMMUNITY))
    c = services.create_component(users["gridleader"], "01003", lon, lat)
    assert services.update_component_status(users["gridleader"], c.code, "lost").status == "lost"
    c.refresh_from_db()
    assert c.status == "lost"
    before = snapshot()
    with pytest.raises(DomainError):
        services.update_component_status(users["gridleader"], c.code, "gone")
    with pytest.raises(NoRight):
        services.update_component_status(users["gridworker"], c.code, "intact")
    with pytest.raises(NotFound):
        services.update_component_status(users["gridleader"], "11010101003999999", "intact")
    assert snapshot() == before


def test_update_cannot_move_a_component_out_of_scope(users):
    lon, lat = point_in(unit_grid(OWN_COMMUNITY))
    c = services.create_component(users["gridleader"], "01003", lon, lat)
    before = snapshot()
    x, y = point_in(unit_grid(OTHER_COMMUNITY))
    with pytest.raises(OutOfScope):
        services.update_component(users["gridleader"], c.code, {"lon": x, "lat": y})
    assert snapshot() == before
    moved = services.update_component(users["admin"], c.code, {"lon": x, "lat": y, "note": "迁移"})
    assert moved.community.code == OTHER_COMMUNITY and moved.grid == unit_grid(OTHER_COMMUNITY)
    with pytest.raises(DomainError) as e:
        services.update_component(users["admin"], c.code, {"code": "1"})
    assert e.value.code == "unknown_field"


def test_demo_components():
    demo = Component.objects.filter(code__startswith="110101")
    assert 100 <= demo.count() <= 1000  # "test" scale
    assert demo.filter(status__in=["damaged", "lost"]).exists()
    for c in demo.select_related("grid", "community")[:200]:
        assert len(c.code) == 17 and c.grid.community_id == c.community_id and c.scope_key == c.grid.scope_key
        assert c.grid.shape.covers(__import__("shapely").geometry.Point(c.lon, c.lat))
    codes = list(demo.values_list("code", flat=True))
    assert len(codes) == len(set(codes))


def test_relocate_after_grids_are_regenerated(users):
    lon, lat = point_in(unit_grid(OWN_COMMUNITY))
    c = services.create_component(users["admin"], "01002", lon, lat)
    Component.objects.filter(pk=c.pk).update(grid=None, scope_key="")
    assert services.relocate_components("110101") == 1
    c.refresh_from_db()
    assert c.grid == unit_grid(OWN_COMMUNITY) and c.scope_key == c.grid.scope_key


# ---------------------------------------------------------------- the API


def post(client, body):
    return client.post("/api/v1/catalog/components", data=json.dumps(body), content_type="application/json")


def patch(client, code, body):
    return client.patch(f"/api/v1/catalog/components/{code}", data=json.dumps(body), content_type="application/json")


def test_api_create_and_patch(client_for):
    lon, lat = point_in(unit_grid(OWN_COMMUNITY))
    c = client_for("gridleader")
    r = post(c, {"item_code": "01002", "lon": lon, "lat": lat, "owner": "区水务局"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert len(body["code"]) == 17 and body["grid"] == unit_grid(OWN_COMMUNITY).code
    assert (body["item_name"], body["status_label"], body["community_code"]) == ("污水井盖", "完好", OWN_COMMUNITY)
    r = patch(c, body["code"], {"status": "damaged", "note": "井盖破损"})
    assert r.status_code == 200 and r.json()["status"] == "damaged" and r.json()["note"] == "井盖破损"
    assert c.get(f"/api/v1/catalog/components/{body['code']}").json()["status_label"] == "破损"


@pytest.mark.parametrize("username,body_change,status,code", [
    (None, {}, 401, "unauthenticated"),
    ("gridworker", {}, 403, "forbidden"),
    ("leader", {}, 403, "forbidden"),
    ("gridleader", {"where": OTHER_COMMUNITY}, 404, "not_found"),
    ("admin", {"lon": 200}, 400, "coordinates_out_of_range"),
    ("admin", {"lon": 0, "lat": 0}, 400, "outside_jurisdiction"),
    ("admin", {"item_code": "06010"}, 404, "item_not_found"),
    ("admin", {"status": "x"}, 400, "invalid_status"),
    ("admin", {"lon": "east"}, 422, "invalid_input"),
])
def test_api_create_refused_writes_nothing(client_for, username, body_change, status, code):
    lon, lat = point_in(unit_grid(body_change.pop("where", OWN_COMMUNITY)))
    body = {"item_code": "01002", "lon": lon, "lat": lat, **body_change}
    before = snapshot()
    r = post(client_for(username), body)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["message"]
    assert snapshot() == before


DEMO = ["admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader", "gridworker",
        "handler", "resident"]


@pytest.mark.parametrize("username", [None, *DEMO])
def test_api_object_matrix(username, client_for, users):
    """anonymous 401, no right 403, out of scope 404, in scope 200 — for reading and for changing one component."""
    targets = [
        unit_grid("110101001001", "110101001001W001"),  # the demo grid worker's own management grid
        unit_grid("110101001002"),  # same street
        unit_grid("110101002001"),  # other street
        unit_grid("110102001004"),  # other district
    ]
    comps = [services.create_components_bulk([{"item_code": "01037", "lon": x, "lat": y}]) and
             Component.objects.filter(item__code="01037").order_by("-id").first()
             for x, y in (point_in(g) for g in targets)]
    client = client_for(username)
    user = users.get(username)
    seen = set()
    for comp in comps:
        for method, right, body in (("get", "geo.view", None), ("patch", "geo.edit", {"status": "damaged"})):
            if user is None:
                want = 401
            elif right not in RIGHTS[Role(user.role)]:
                want = 403
            else:
                prefix = scope_prefix(user)
                want = 200 if prefix is not None and comp.scope_key.startswith(prefix) else 404
            before = snapshot()
            path = f"/api/v1/catalog/components/{comp.code}"
            r = client.get(path) if body is None else patch(client, comp.code, body)
            assert r.status_code == want, (username, method, comp.code, r.content[:200])
            if want != 200:
                assert r.json()["code"] and r.json()["message"]
                assert snapshot() == before, "a refused request wrote something"
            seen.add(want)
    assert len(seen) >= 2 or username in (None, "resident")


def test_api_list_is_scoped_and_filtered(client_for, users):
    all_codes = set(Component.objects.values_list("code", flat=True))
    for name in ("admin", "gridleader", "gridworker"):
        rows = client_for(name).get("/api/v1/catalog/components?limit=500").json()["items"]
        prefix = scope_prefix(users[name])
        want = {c for c, k in Component.objects.values_list("code", "scope_key") if k.startswith(prefix)}
        assert {r["code"] for r in rows} == want and want <= all_codes
    admin = client_for("admin")
    damaged = admin.get("/api/v1/catalog/components?status=damaged").json()["items"]
    assert damaged and all(r["status"] == "damaged" for r in damaged)
    assert admin.get("/api/v1/catalog/components?status=破损").json()["items"] == damaged
    grid = Component.objects.filter(code__startswith="110101").first().grid
    rows = admin.get(f"/api/v1/catalog/components?grid={grid.code}").json()["items"]
    assert rows and all(r["grid"] == grid.code for r in rows)
    x0, y0, x1, y1 = grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat
    rows = admin.get(f"/api/v1/catalog/components?bbox={x0},{y0},{x1},{y1}").json()["items"]
    assert rows and all(x0 <= r["lon"] <= x1 and y0 <= r["lat"] <= y1 for r in rows)
    assert {r["item_code"] for r in admin.get("/api/v1/catalog/components?item=01037").json()["items"]} <= {"01037"}
    for bad in ("bbox=1,2,3", "bbox=a,b,c,d", "bbox=117,40,116,39", "status=gone"):
        r = admin.get(f"/api/v1/catalog/components?{bad}")
        assert r.status_code == 400 and r.json()["code"], bad
    assert client_for("resident").get("/api/v1/catalog/components").status_code == 403
    assert client_for(None).get("/api/v1/catalog/components").status_code == 401


def test_api_list_query_count(client_for):
    client = client_for("admin")
    client.get("/api/v1/catalog/components?status=intact")  # warm up (session, locator…)
    with CaptureQueriesContext(connection) as ctx:
        rows = client.get("/api/v1/catalog/components").json()["items"]
    assert len(rows) > 50
    assert len(ctx.captured_queries) <= 6, [q["sql"][:120] for q in ctx.captured_queries]
