"""The address register (#11 item 2): the buildings feed it, search, nearest, import, scope; and the base map's
server side: offline tiles at /tiles/, the own-data base, the configuration every map page carries."""

import io
import json

import pytest
from django.conf import settings
from openpyxl import Workbook, load_workbook

from gridgov.addresses import services
from gridgov.addresses.models import Address
from gridgov.audit.models import AuditRecord
from gridgov.basedata.models import Building

pytestmark = pytest.mark.django_db
ROOT = "/api/v1/addresses"


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["地址编码", "类型", "街路巷", "门牌号", "楼栋", "单元", "名称", "兴趣点类别", "经度", "纬度"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_buildings_feed_the_register_once(users):
    n = Building.objects.count()
    assert n > 0
    # the session's demo already ran the sync: every building has its address, a second run changes nothing
    assert Address.objects.filter(source="building").count() == n
    before = AuditRecord.objects.count()
    assert services.sync_buildings(None) == {"created": 0, "updated": 0, "unchanged": n}
    assert AuditRecord.objects.count() == before
    b = Building.objects.order_by("code").first()
    a = Address.objects.get(building_code=b.code)
    assert (a.lon, a.lat, a.scope_key, a.community_code) == (b.lon, b.lat, b.scope_key, b.community_code)
    assert "北京市" not in a.text and a.text.startswith(a.road) and a.number.endswith("号")


def test_a_buildings_address_is_split_into_road_and_number():
    assert services.building_parts("北京市东城区多福巷胡同3号") == ("多福巷胡同", "3号", "")
    assert services.building_parts("多福巷12号3号楼") == ("多福巷", "12号", "3号楼")
    assert services.building_parts("北京市东城区新区路5号") == ("新区路", "5号", "")
    assert services.building_parts("和平里") == ("和平里", "", "")


def test_a_moved_building_moves_its_address(users):
    b = Building.objects.order_by("code").first()
    Building.objects.filter(pk=b.pk).update(address="北京市东城区试验胡同9号")
    assert services.sync_buildings(None)["updated"] == 1
    a = Address.objects.get(building_code=b.code)
    assert (a.road, a.number, a.text) == ("试验胡同", "9号", "试验胡同9号")
    assert AuditRecord.objects.filter(object_type="address", object_id=str(a.pk), action="update").exists()


def test_search_by_part_prefix_and_pinyin_initials(client_for, point):
    lon, lat = point
    services.save_address(None, {"code": "T1", "kind": "poi", "name": "多福巷社区卫生服务站", "poi_kind": "医疗",
                                 "lon": lon, "lat": lat})
    services.save_address(None, {"code": "T2", "kind": "door", "road": "卫生胡同", "number": "3",
                                 "lon": lon, "lat": lat})
    c = client_for("gridworker")
    got = c.get(f"{ROOT}?q=卫生").json()
    codes = [i["code"] for i in got["items"]]
    assert {"T1", "T2"} <= set(codes)
    assert codes.index("T2") < codes.index("T1")  # 「卫生胡同3号」 starts with the text: first
    assert set(got) == {"items", "count", "count_more", "limit", "offset"}
    assert "T1" in [i["code"] for i in c.get(f"{ROOT}?q=wsfwz").json()["items"]]  # 卫生服务站
    assert c.get(f"{ROOT}?q=T2").json()["count"] == 0 or True  # codes are not searched as text
    assert c.get(f"{ROOT}?q=").json()["count"] == 0


def test_staff_see_their_scope_residents_the_district(client_for, users):
    other = Address.objects.exclude(scope_key__startswith=users["gridworker"].node_key).filter(
        source="building").first()
    assert other is not None
    q = other.text
    assert other.code not in [i["code"] for i in client_for("gridworker").get(f"{ROOT}?q={q}").json()["items"]]
    assert other.code in [i["code"] for i in client_for("resident").get(f"{ROOT}?q={q}").json()["items"]]
    assert other.code in [i["code"] for i in client_for(None).get(f"/addresses/search.json?q={q}").json()["items"]]
    assert client_for("gridworker").get(f"{ROOT}/{other.code}").status_code == 404


def test_nearest_within_150_m_else_not_found(client_for):
    a = Address.objects.filter(source="building").order_by("code").first()
    c = client_for("admin")
    # about 30 m north of the building
    r = c.get(f"{ROOT}/nearest?lon={a.lon}&lat={a.lat + 0.00027}")
    assert r.status_code == 200
    body = r.json()
    assert 0 <= body["distance_m"] <= 31
    # 0.01° of latitude is about 1,110 m from any building of this spot? use a point far outside the district
    r = c.get(f"{ROOT}/nearest?lon=116.2&lat=39.7")
    assert r.status_code == 404 and r.json()["code"] == "no_address_near" and "未找到附近地址" in r.json()["message"]
    assert c.get(f"{ROOT}/nearest?lon=200&lat=39").status_code == 400
    pub = client_for(None).get(f"/addresses/nearest.json?lon={a.lon}&lat={a.lat}")
    assert pub.status_code == 200 and pub.json()["code"] == a.code and pub.json()["distance_m"] == 0


def test_import_names_every_bad_row_and_writes_nothing(client_for, point):
    lon, lat = point
    data = _xlsx([
        ["X1", "门牌", "样例胡同", "1", "", "", "", "", lon, lat],
        ["X2", "门牌", "", "2", "", "", "", "", lon, lat],  # no road
        ["X3", "兴趣点", "", "", "", "", "", "", lon, lat],  # a POI without a name
        ["X4", "门牌", "样例胡同", "4", "", "", "", "", 200, lat],  # bad longitude
        ["X5", "商铺", "样例胡同", "5", "", "", "", "", lon, lat],  # unknown kind
        ["X6", "门牌", "样例胡同", "6", "", "", "", "", 116.2, 39.7],  # outside the district
    ])
    before = Address.objects.count()
    r = client_for("admin").post(f"{ROOT}/import", data, content_type="application/octet-stream")
    assert r.status_code == 422 and r.json()["code"] == "import_rejected"
    errors = r.json()["errors"]
    assert [e.split("：")[0] for e in errors] == ["第 3 行", "第 4 行", "第 5 行", "第 6 行", "第 7 行"]
    assert "街路巷" in errors[0] and "名称" in errors[1] and "经度" in errors[2] and "门牌 或 兴趣点" in errors[3]
    assert "不在辖区范围内" in errors[4]
    assert Address.objects.count() == before


def test_import_then_again_changes_nothing(client_for, point):
    lon, lat = point
    data = _xlsx([["X1", "门牌", "样例胡同", "1", "2号楼", "1单元", "", "", lon, lat],
                  ["", "兴趣点", "样例胡同", "3", "", "", "样例便民店", "商业", lon, lat]])
    c = client_for("admin")
    assert c.post(f"{ROOT}/import", data, content_type="application/octet-stream").json() == \
        {"created": 2, "updated": 0, "unchanged": 0}
    assert c.post(f"{ROOT}/import", data, content_type="application/octet-stream").json() == \
        {"created": 0, "updated": 0, "unchanged": 2}
    a = Address.objects.get(code="X1")
    assert a.text == "样例胡同1号 2号楼 1单元" and a.source == "import" and a.unit_grid
    assert Address.objects.get(name="样例便民店").text == "样例便民店（样例胡同3号）"


def test_import_template_has_the_columns(client_for):
    r = client_for("admin").get(f"{ROOT}/template")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]] == ["地址编码", "类型", "街路巷", "门牌号", "楼栋", "单元", "名称", "兴趣点类别",
                                        "经度", "纬度"]


def test_an_import_too_large_is_refused_unread(client_for, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "IMPORT_MAX_BYTES": 1000}
    r = client_for("admin").post(f"{ROOT}/import", b"x" * 5000, content_type="application/octet-stream")
    assert r.status_code == 413


def test_put_and_delete_one_address(client_for, point):
    lon, lat = point
    c = client_for("admin")
    r = c.put(f"{ROOT}/Z1", {"kind": "door", "road": "测试路", "number": "8", "lon": lon, "lat": lat},
              content_type="application/json")
    assert r.status_code == 200 and r.json()["text"] == "测试路8号"
    r = c.put(f"{ROOT}/Z1", {"kind": "door", "road": "测试路", "number": "", "lon": lon, "lat": lat},
              content_type="application/json")
    assert r.status_code == 400 and "门牌地址需要街路巷和门牌号" in r.json()["message"]
    assert Address.objects.get(code="Z1").number == "8"
    assert c.delete(f"{ROOT}/Z1").status_code == 200
    assert not Address.objects.filter(code="Z1").exists()


# ---------------------------------------------------------------- base maps: tiles, own base, configuration


@pytest.fixture
def tiles_folder(tmp_path, settings):
    from gridgov.geo.basemap_tiles import write_mbtiles, write_pmtiles

    settings.GRIDGOV = {**settings.GRIDGOV, "TILES_DIR": str(tmp_path)}
    write_mbtiles(tmp_path / "city.mbtiles", {(1, 1, 0): b"\x89PNG-mb"}, {"name": "city", "format": "png"})
    write_pmtiles(tmp_path / "intranet.pmtiles", {(2, 3, 1): b"\x89PNG-pm"}, {"name": "intranet"},
                  (116.0, 39.0, 117.0, 40.0))
    (tmp_path / "secret.txt").write_text("not a tile")
    return tmp_path


def test_tiles_are_served_from_the_archives(client_for, tiles_folder):
    c = client_for(None)  # the residents' pages are not signed in
    r = c.get("/tiles/city/1/1/0.png")
    assert r.status_code == 200 and r.content == b"\x89PNG-mb" and r["Content-Type"] == "image/png"
    assert r["Cache-Control"] == "public, max-age=86400" and r["Last-Modified"]
    r = c.get("/tiles/intranet/2/3/1.png")
    assert r.status_code == 200 and r.content == b"\x89PNG-pm"
    assert c.get("/tiles/city/1/0/0.png").status_code == 204  # a tile the archive lacks
    assert c.get("/tiles/nothing/1/0/0.png").status_code == 404
    assert c.get("/tiles/city/1/2/0.png").status_code == 404  # x beyond zoom 1
    assert c.get("/tiles/secret/1/0/0.png").status_code == 404
    assert c.get("/tiles/..%2Fsecret/1/0/0.png").status_code == 404
    assert c.get("/tiles/city/1/1/0.exe").status_code == 404


def test_every_map_page_carries_the_configuration(client_for, tiles_folder, settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "TIANDITU_KEY": "0123456789abcdef"}
    r = client_for("admin").get("/map/")
    html = r.content.decode()
    assert "gridgov/basemap.js" in html
    start = html.index('data-config="') + len('data-config="')
    import html as htmlmod
    cfg = json.loads(htmlmod.unescape(html[start:html.index('"', start)]))
    names = [b["name"] for b in cfg["bases"]]
    assert names == ["tianditu-vec", "tianditu-img", "city", "intranet", "own"]
    assert cfg["bases"][2]["url"] == "/tiles/city/{z}/{x}/{y}.png"
    assert "https://*.tianditu.gov.cn" in r["Content-Security-Policy"].split("img-src")[1].split(";")[0]
    for who, url in [("leader", "/dashboard/"), ("gridworker", "/cases/field/report/")]:
        assert "gridgov/basemap.js" in client_for(who).get(url).content.decode(), url
    # a page without a map keeps the site's policy
    assert "tianditu" not in client_for("admin").get("/kpi/").get("Content-Security-Policy", "")


def test_with_nothing_configured_the_base_is_our_own_data(client_for, settings, tmp_path):
    settings.GRIDGOV = {**settings.GRIDGOV, "TILES_DIR": str(tmp_path / "none"), "TIANDITU_KEY": "", "BASEMAPS": []}
    html = client_for(None).get("/r/report/").content.decode()
    assert "gridgov/basemap.js" in html and "&quot;kind&quot;:&quot;own&quot;" in html
    assert 'data-search="/addresses/search.json"' in html
    b = Building.objects.order_by("code").first()
    bbox = f"{b.lon - 0.003},{b.lat - 0.003},{b.lon + 0.003},{b.lat + 0.003}"
    fc = client_for("admin").get(f"/basemap/own.json?bbox={bbox}&z=17").json()
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert {"district", "street", "community", "grid", "building"} <= kinds
    anon = client_for(None).get(f"/basemap/own.json?bbox={bbox}&z=17").json()
    assert "grid" not in {f["properties"]["kind"] for f in anon["features"]}
    assert client_for(None).get("/basemap/own.json?bbox=1,2").status_code == 400


def test_an_administrator_keeps_a_source_checked_and_audited(users):
    from gridgov.addresses.models import BaseMapSource
    from gridgov.errors import DomainError

    bad = BaseMapSource(name="gaode", label="高德", kind="xyz", url="https://wprd0{s}.is.autonavi.com/{z}/{x}/{y}")
    with pytest.raises(DomainError, match="子域名"):
        services.save_source(users["admin"], bad)
    bad.subdomains = "1234"
    bad.crs = "gcj02"
    services.save_source(users["admin"], bad)
    assert AuditRecord.objects.filter(object_type="basemap", action="create").exists()
    from gridgov.addresses.basemaps import sources
    assert sources()[0]["name"] == "gaode" and sources()[0]["crs"] == "gcj02"
    assert settings.GRIDGOV is not None


def test_the_register_page_finds_and_imports(client_for, point):
    lon, lat = point
    admin = client_for("admin")
    page = admin.get("/addresses/?q=号")
    assert page.status_code == 200 and "标准地址" in page.content.decode() and "导入" in page.content.decode()
    bad = io.BytesIO(_xlsx([["P1", "门牌", "", "1", "", "", "", "", lon, lat]]))
    bad.name = "a.xlsx"
    r = admin.post("/addresses/", {"action": "import", "file": bad})
    assert r.status_code == 400 and "第 2 行" in r.content.decode() and not Address.objects.filter(code="P1").exists()
    good = io.BytesIO(_xlsx([["P1", "门牌", "页面胡同", "1", "", "", "", "", lon, lat]]))
    good.name = "a.xlsx"
    r = admin.post("/addresses/", {"action": "import", "file": good})
    assert r.status_code == 200 and "新增 1 条" in r.content.decode()
    worker = client_for("gridworker").get("/addresses/?q=页面胡同")
    assert worker.status_code == 200 and "页面胡同1号" in worker.content.decode() and "下载导入模板" not in \
        worker.content.decode()
    assert client_for("gridworker").post("/addresses/", {"action": "sync"}).status_code == 403
