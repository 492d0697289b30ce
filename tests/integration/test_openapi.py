"""The API describes itself: every operation's answer is a typed schema (or a declared file), every error is the
one ErrorOut, every list is the one page shape; POST /cases/scan is reachable; the docs page works offline."""

import re

import pytest

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")
# the downloads: their 200 is a file, declared as binary content
BINARY = {
    ("get", "/api/v1/cases/{number}/photos/{photo_id}"): {"image/jpeg", "image/png", "image/webp"},
    ("post", "/api/v1/locate/csv"): {"text/csv"},
    ("get", "/api/v1/basedata/templates/{kind}"): {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ("get", "/api/v1/basedata/exports/{kind}"): {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ("get", "/api/v1/duty/reports/{day}/export"): {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ("get", "/api/v1/inspection/inspections/export"): {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ("get", "/api/v1/patrol/attendance/export"): {  # patrol
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}
# the list endpoints: limit/offset in, {"items", "count", "count_more", "limit", "offset"} out
LISTS = {
    "/api/v1/tree", "/api/v1/layers", "/api/v1/cases", "/api/v1/catalog/items", "/api/v1/catalog/deadlines",
    "/api/v1/catalog/components", "/api/v1/notifications", "/api/v1/audit/records", "/api/v1/basedata/buildings",
    "/api/v1/basedata/dwellings", "/api/v1/basedata/residents", "/api/v1/basedata/organisations",
    "/api/v1/basedata/key-categories", "/api/v1/basedata/key-population", "/api/v1/basedata/visits",
    "/api/v1/basedata/diary", "/api/v1/basedata/visit-rules", "/api/v1/basedata/due", "/api/v1/basedata/access-log",
    "/api/v1/cases/{number}/timeline", "/api/v1/cases/{number}/duplicates", "/api/v1/auth/tokens",
    "/api/v1/privacy/retention",
    "/api/v1/duty/plans", "/api/v1/duty/activations",  # duty: 应急预案 and their activations
    # inspection
    "/api/v1/inspection/templates", "/api/v1/inspection/plans", "/api/v1/inspection/due",
    "/api/v1/inspection/inspections", "/api/v1/inspection/revisits/due", "/api/v1/inspection/frontage/agreements",
    "/api/v1/inspection/frontage/rates",
    # gridchange
    "/api/v1/grid-changes", "/api/v1/grid-changes/{change_id}/grid-mapping", "/api/v1/grid-changes/{change_id}/case-mapping",
    "/api/v1/governance/mediations", "/api/v1/governance/petitions",  # matters: 调解台账, 信访登记簿
    # patrol
    "/api/v1/patrol/plans", "/api/v1/patrol/shifts", "/api/v1/patrol/coverage", "/api/v1/patrol/anomalies",
    "/api/v1/patrol/leaves", "/api/v1/patrol/attendance",
}
LISTS |= {"/api/v1/oversight/dispatches", "/api/v1/oversight/notices", "/api/v1/oversight/disputes"}  # the city's
# --- tasks: the campaign export, a task's attachment, a drill's photo; the lists of campaigns, tasks, drills, meetings
BINARY.update({
    ("get", "/api/v1/tasks/campaigns/{pk}/export"): {
        "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    ("get", "/api/v1/tasks/tasks/{pk}/attachment"): {"image/jpeg", "image/png", "image/webp", "application/pdf"},
    ("get", "/api/v1/tasks/drills/{pk}/photos/{photo_id}"): {"image/jpeg", "image/png", "image/webp"},
})
LISTS |= {"/api/v1/tasks/campaigns", "/api/v1/tasks/tasks", "/api/v1/tasks/drills", "/api/v1/tasks/meetings"}
LISTS |= {"/api/v1/kpi", "/api/v1/kpi/indicators"}  # kpi: a level's rows for a period; the definitions
LISTS |= {"/api/v1/analytics/figures", "/api/v1/analytics/series"}  # analytics: figures and trend by step
# --- end tasks
# --- assess: the ranking table's export; the lists of schemes, runs, judgements, evidence and appeals
BINARY[("get", "/api/v1/assess/runs/{pk}/export")] = {
    "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
for _path in ("/api/v1/assess/evidence/{pk}/files/{n}", "/api/v1/assess/appeals/{pk}/files/{n}"):
    BINARY[("get", _path)] = {"application/pdf", "image/jpeg", "image/png", "image/webp", "text/plain",
                              "application/octet-stream"}
LISTS |= {"/api/v1/assess/schemes", "/api/v1/assess/runs", "/api/v1/assess/judgements", "/api/v1/assess/evidence",
          "/api/v1/assess/appeals"}
# --- end assess
# --- ledgers (考评台账): the 附件2 export; the registers' lists
BINARY[("get", "/api/v1/ledgers/quota/export")] = {
    "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
LISTS |= {"/api/v1/ledgers/summary", "/api/v1/ledgers/quota", "/api/v1/ledgers/problems", "/api/v1/ledgers/samples",
          "/api/v1/ledgers/trainings", "/api/v1/ledgers/outages", "/api/v1/ledgers/publicity"}
# --- evaluation: 待回访, 回访记录, 评价维度, 本单位给出的评价; the results' Excel
LISTS |= {"/api/v1/evaluation/queue", "/api/v1/evaluation/surveys", "/api/v1/evaluation/dimensions",
          "/api/v1/evaluation/ratings"}
BINARY.update({("get", "/api/v1/evaluation/results/export"): {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}})
# --- exports: 案件导出 — the columns, the column sets, my exports; an export's file
LISTS |= {"/api/v1/exports/columns", "/api/v1/exports/column-sets", "/api/v1/exports"}
BINARY[("get", "/api/v1/exports/{export_id}/download")] = {
    "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# --- integrity: the flags, the month's zeroings, the people's sheets and their export
LISTS |= {"/api/v1/integrity/flags", "/api/v1/integrity/zeroings", "/api/v1/performance/sheets"}
BINARY[("get", "/api/v1/performance/sheets/export")] = {
    "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# --- basemap: the address search (paged) and the address import template
LISTS |= {"/api/v1/addresses"}
LISTS |= {"/api/v1/groups/orgs", "/api/v1/groups/dynamic"}  # groups: 人员网格单位, 动态人群网格
BINARY[("get", "/api/v1/addresses/template")] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# --- community: the configured numbers and the boards; services: volunteer teams, their activities, requests
LISTS |= {"/api/v1/community/boards", "/api/v1/community/phones", "/api/v1/services/requests",
          "/api/v1/services/volunteer-teams", "/api/v1/services/volunteer-teams/{team_id}/activities"}
LISTS |= {"/api/v1/notices"}  # notices: 通知公告 (社区动态, 预警, 工作通知)
# --- party: 网格党组织, 党员名册, 报到, 帮扶对子
LISTS |= {"/api/v1/party/orgs", "/api/v1/party/members", "/api/v1/party/registrations", "/api/v1/party/pairs"}
# --- training: the courses, exams, results and sessions (paged); the bank template and a certificate
LISTS |= {"/api/v1/training/courses", "/api/v1/training/exams", "/api/v1/training/results",
          "/api/v1/training/sessions"}
BINARY[("get", "/api/v1/training/banks/template")] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
BINARY[("get", "/api/v1/training/attempts/{attempt_id}/certificate")] = {"application/pdf"}


@pytest.fixture
def doc(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in METHODS:
                yield method, path, op


def resolve(doc, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def json_schema(doc, response: dict) -> dict:
    return resolve(doc, response["content"]["application/json"]["schema"])


def test_the_document_covers_every_router(doc):
    paths = set(doc["paths"])
    for p in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/tree", "/api/v1/grids", "/api/v1/catalog/items",
              "/api/v1/worktime/due", "/api/v1/cases", "/api/v1/cases/{number}", "/api/v1/cases/scan",
              "/api/v1/notifications", "/api/v1/audit/records", "/api/v1/basedata/residents"):
        assert p in paths, p
    assert sum(1 for _ in operations(doc)) >= 79


def test_every_operation_answers_a_typed_schema_or_a_declared_file(doc):
    untyped = []
    for method, path, op in operations(doc):
        ok = [s for s in ("200", "201") if s in op["responses"]]
        assert ok, f"{method.upper()} {path} declares no 200/201"
        for status in ok:
            response = op["responses"][status]
            if (method, path) in BINARY:
                content = response["content"]
                assert set(content) == BINARY[(method, path)], path
                assert all(c["schema"] == {"type": "string", "format": "binary"} for c in content.values()), path
                continue
            schema = json_schema(doc, response)
            if schema.get("type") == "array":
                schema = resolve(doc, schema["items"])
            if not schema.get("properties"):  # a bare object ({} or response=dict) documents nothing
                untyped.append(f"{method.upper()} {path} {status}")
    assert untyped == []


def test_every_operation_declares_its_errors_as_error_out(doc):
    error_out = doc["components"]["schemas"]["ErrorOut"]
    assert {"code", "message"} <= set(error_out["required"])
    assert error_out["properties"]["code"]["type"] == error_out["properties"]["message"]["type"] == "string"
    for method, path, op in operations(doc):
        errors = {s: r for s, r in op["responses"].items() if s.startswith("4")}
        assert errors, f"{method.upper()} {path} declares no error"
        # the token endpoint, and 服务承诺 which every resident may read without an account (services)
        public = path in ("/api/v1/auth/token", "/api/v1/services/pledges/{community}")
        assert public or "401" in errors, f"{method.upper()} {path}: 401 for the anonymous"
        for status, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}, \
                f"{method.upper()} {path} {status}"
        if validated_input(op):  # ninja refuses what does not parse: 422
            assert "422" in errors, f"{method.upper()} {path}"


def validated_input(op) -> bool:
    """Whether ninja validates some of the operation's input (a JSON or form body, a typed or required parameter)."""
    body = op.get("requestBody", {}).get("content", {})
    if "application/json" in body or "multipart/form-data" in body:
        return True
    return any(p["in"] == "query" and p.get("required") or resolve_type(p["schema"]) != "string"
               for p in op.get("parameters", []))


def resolve_type(schema: dict):
    if "anyOf" in schema:
        types = {s.get("type") for s in schema["anyOf"]} - {"null"}
        return types.pop() if len(types) == 1 else "mixed"
    return schema.get("type")


def test_the_case_schemas_name_their_fields(doc):
    case = json_schema(doc, doc["paths"]["/api/v1/cases/{number}"]["get"]["responses"]["200"])
    fields = set(case["properties"])
    assert {"number", "status", "status_label", "matter", "unit_grid", "community", "stage", "stage_due_at",
            "light", "version", "actions", "reports", "photos", "times", "routing_suggestion"} <= fields
    assert case["properties"]["version"]["type"] == "integer"
    action = resolve(doc, case["properties"]["actions"]["items"])
    assert set(action["properties"]) == {"action", "label"}
    acted = json_schema(doc, doc["paths"]["/api/v1/cases/{number}/actions/{action}"]["post"]["responses"]["200"])
    assert acted == case
    page = json_schema(doc, doc["paths"]["/api/v1/cases"]["get"]["responses"]["200"])
    summary = resolve(doc, page["properties"]["items"]["items"])
    assert {"number", "status", "matter", "unit_grid", "stage_due_at", "version", "light"} <= set(summary["properties"])
    timeline = json_schema(doc, doc["paths"]["/api/v1/cases/{number}/timeline"]["get"]["responses"]["200"])
    assert {"action", "label", "from_state", "to_state", "at", "actor", "data"} <= set(
        resolve(doc, timeline["properties"]["items"]["items"])["properties"])
    bulk = json_schema(doc, doc["paths"]["/api/v1/cases/bulk/{action}"]["post"]["responses"]["200"])
    assert set(bulk["properties"]) == {"done", "refused"}
    batch = json_schema(doc, doc["paths"]["/api/v1/cases/batch"]["post"]["responses"]["200"])
    assert set(batch["properties"]) == {"created", "failed", "results"}
    intake = doc["paths"]["/api/v1/cases"]["post"]["responses"]
    assert set(json_schema(doc, intake["201"])["properties"]) == {
        "created", "case", "duplicates", "photo_errors", "routing_suggestion"}


def test_other_routers_name_their_fields(doc):
    def fields(method, path, status="200"):
        schema = json_schema(doc, doc["paths"][path][method]["responses"][status])
        return set(schema["properties"])

    grids = json_schema(doc, doc["paths"]["/api/v1/grids"]["get"]["responses"]["200"])
    feature = resolve(doc, grids["properties"]["features"]["items"])
    assert {"code", "name", "layer", "community_code", "households"} <= set(
        resolve(doc, feature["properties"]["properties"])["properties"])
    assert {"unit_grid", "management_grid", "community", "street", "district"} <= fields("get", "/api/v1/locate")
    assert {"id_number", "phone", "masked", "household_id"} <= fields("post", "/api/v1/basedata/residents")
    assert {"members", "visits", "triggers", "dwelling"} <= fields("get", "/api/v1/basedata/households/{pk}")
    assert {"population", "households", "children"} <= fields("get", "/api/v1/basedata/stats")
    assert {"code", "item_code", "grid", "status"} <= fields("post", "/api/v1/catalog/components", "201")
    assert {"due", "unit", "paused"} <= fields("post", "/api/v1/worktime/due")
    due = json_schema(doc, doc["paths"]["/api/v1/basedata/due"]["get"]["responses"]["200"])
    assert {"kind", "household_id", "due_on", "overdue"} <= set(resolve(doc, due["properties"]["items"]["items"])["properties"])


def test_every_list_is_the_one_page_shape(doc):
    paged = set()
    for method, path, op in operations(doc):
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        if method == "get" and {"limit", "offset"} <= names:
            paged.add(path)
            page = json_schema(doc, op["responses"]["200"])
            assert set(page["properties"]) == {"items", "count", "count_more", "limit", "offset"}, path
            assert page["properties"]["items"]["type"] == "array", path
            limit = next(p for p in op["parameters"] if p["name"] == "limit")["schema"]
            offset = next(p for p in op["parameters"] if p["name"] == "offset")["schema"]
            assert (limit["minimum"], limit["maximum"], offset["minimum"], offset["maximum"]) == (
                1, 500, 0, 1_000_000_000), path
        elif method == "get":
            schema = json_schema(doc, op["responses"]["200"]) if (method, path) not in BINARY else {}
            assert schema.get("type") != "array", f"{path} answers a bare list"
    assert paged == LISTS


@pytest.mark.parametrize("path", sorted(p for p in LISTS if "{" not in p))
def test_lists_answer_a_page(client_for, path):
    r = client_for("admin").get(f"{path}?limit=2&offset=1")
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    assert set(body) == {"items", "count", "count_more", "limit", "offset"}
    assert (body["limit"], body["offset"]) == (2, 1)
    assert len(body["items"]) == max(0, min(2, body["count"] - 1))


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", f"offset={2 ** 63}", "limit=x"])
def test_paging_out_of_range_is_refused(client_for, query):
    for path in ("/api/v1/cases", "/api/v1/basedata/residents", "/api/v1/audit/records"):
        r = client_for("admin").get(f"{path}?{query}")
        assert r.status_code == 422, (path, query, r.content[:200])
        assert set(r.json()) >= {"code", "message"}


def test_a_page_of_cases_counts_all_and_shows_the_requested_slice(client_for):
    c = client_for("admin")
    whole = c.get("/api/v1/cases?limit=500").json()
    assert whole["count"] == len(whole["items"]) > 3
    page = c.get("/api/v1/cases?limit=3&offset=2").json()
    assert page["count"] == whole["count"]
    assert [x["number"] for x in page["items"]] == [x["number"] for x in whole["items"][2:5]]


# ---------------------------------------------------------------- POST /cases/scan (was shadowed by GET /cases/{number})


def test_scan_answers_the_administrator(client_for):
    c = client_for("admin")
    first = c.post("/api/v1/cases/scan")
    assert first.status_code == 200, first.content[:300]
    assert set(first.json()) == {"yellow", "red"}
    assert c.post("/api/v1/cases/scan").json() == {"yellow": 0, "red": 0}  # each warning once per stage


@pytest.mark.parametrize("username,status", [(None, 401), ("gridworker", 403), ("dispatcher", 403),
                                             ("shift", 403), ("leader", 403)])
def test_scan_is_refused_to_others(client_for, username, status):
    r = client_for(username).post("/api/v1/cases/scan")
    assert r.status_code == status
    assert set(r.json()) >= {"code", "message"}


# ---------------------------------------------------------------- the docs page, offline


def test_docs_page_uses_only_our_own_static_files(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "nothing from another host"
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert [attrs.strip() for attrs, _ in scripts] == [
        'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"', 'src="/static/gridgov/apidocs.js"']
    assert all(body.strip() == "" for _, body in scripts), "no inline script (CSP script-src 'self')"
    assert 'href="/static/vendor/swagger-ui/swagger-ui.css"' in html
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    for path in ("/static/vendor/swagger-ui/swagger-ui-bundle.js", "/static/vendor/swagger-ui/swagger-ui.css",
                 "/static/gridgov/apidocs.js"):
        got = client.get(path)
        assert got.status_code == 200, path


def _models(annotation, out: set) -> None:
    """Every pydantic model reachable from ``annotation`` (its fields, lists, optionals and unions)."""
    import typing

    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        if annotation not in out:
            out.add(annotation)
            for f in annotation.model_fields.values():
                _models(f.annotation, out)
        return
    for arg in typing.get_args(annotation):
        _models(arg, out)


def test_no_two_schemas_share_a_name():
    """The document keeps one schema per name (components/schemas): two classes called ShiftOut made the 值班 shift
    operations show the patrol shift's fields. Every input and output schema of every operation has its own name."""
    from gridgov.api import api

    found: set = set()
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for op in view.operations:
                for model in [*(op.response_models or {}).values(), *op.models]:
                    _models(model, found)
    by_name: dict[str, set[str]] = {}
    for model in found:
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    assert len(found) > 100
    assert {name: where for name, where in by_name.items() if len(where) > 1} == {}
