"""Who may call what: every operation of the API, for every post, with the answer written out by hand.

The expected statuses below are typed from what the README and the seeds say each post does — not from
``gridgov.accounts.roles.RIGHTS`` nor from the transition table:

- reads of the territory (tree, layers, grids, components, the working-time calculator) are for every staff post
  within its scope; residents only locate a point (they report with a position) and read the catalog;
- grid master data (a grid, its 五定, components) is edited by the grid leader of the community and the
  administrator; boundaries and thematic layers are imported by the administrator;
- cases are reported by the grid staff, the inspector, the supervision centre (受理员, 值班长) and residents (one at
  a time), not by the command centre's dispatcher, a department or a leader; staff read the cases of their scope, a
  department what was sent to it, a resident their own report; each action is for the posts of the transition
  table (tests/unit/test_cases_lifecycle.py) — a post that may not gets 403, a case outside one's scope 404;
- the audit log and the deadline scan are the administrator's;
- basic data (人、地、物、事、组织) is read by the grid's people (网格员, 网格长), the street's 网格督导员, the leader
  (masked) and the administrator; collected and visited by grid workers, grid leaders and the administrator;
  imported, exported and unmasked by grid leaders and the administrator; the access log and the configuration
  (key-population categories, 六必访 rules) are the administrator's.

Each operation of /api/v1/openapi.json has at least one row (``test_every_operation_has_a_row``): a new endpoint
must be added here. To add one: put a ``Row`` in ROWS under the key ``"<METHOD> <path as in openapi.json>"`` (add
`` · <variant>`` for a second target of the same operation), with the concrete path and body (``{name}`` fields
are filled from ``ctx``; ``setup`` prepares objects), and its 12 statuses in EXPECTED in the column order of POSTS.
Where the code answers otherwise today, the row's answers of today go in TODAY with the reason — a test fails as
soon as the code changes, so the entry is moved, not forgotten.
"""

import io
import json
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

POSTS = ["anonymous", "admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader",
         "gridworker", "handler", "resident"]

# ------------------------------------------------------------------------------------------ what each post gets
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res
EXPECTED = {
    # accounts
    "POST /api/v1/auth/token":                       "201  201  201  201  201  201  201  201  201  201  201  201",
    "GET /api/v1/me":                                "401  200  200  200  200  200  200  200  200  200  200  200",
    # one's own tokens; an administrator also those of the accounts in scope (the grid worker's token here)
    "GET /api/v1/auth/tokens":                       "401  200  200  200  200  200  200  200  200  200  200  200",
    "DELETE /api/v1/auth/tokens/{token_id}":         "401  200  404  404  404  404  404  404  404  200  404  404",
    "POST /api/v1/auth/tokens/{token_id}/revoke":    "401  200  404  404  404  404  404  404  404  200  404  404",
    # 个人信息 requests (查询、复制、删除) and retention periods: the administrator's; erasure of a resident
    # still living here is refused (the register keeps them)
    "POST /api/v1/privacy/search":                   "401  200  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/privacy/export":                   "401  200  403  403  403  403  403  403  403  403  403  403",
    # a correction is made by those who keep the register of the grid (collected by 网格员, 网格长, the administrator)
    "POST /api/v1/privacy/residents/{pk}/corrections": "401  201  403  403  403  403  403  403  201  201  403  403",
    "POST /api/v1/privacy/residents/{pk}/erase":     "401  409  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/privacy/retention":                 "401  200  403  403  403  403  403  403  403  403  403  403",
    "PUT /api/v1/privacy/retention/{kind}":          "401  200  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/privacy/purge":                    "401  200  403  403  403  403  403  403  403  403  403  403",
    # the territory
    "GET /api/v1/tree":                              "401  200  200  200  200  200  200  200  200  200  200  403",
    "GET /api/v1/tree/{code}":                       "401  200  200  200  200  200  200  200  200  404  200  403",
    "GET /api/v1/layers":                            "401  200  200  200  200  200  200  200  200  200  200  403",
    "GET /api/v1/grids":                             "401  200  200  200  200  200  200  200  200  200  200  403",
    "GET /api/v1/grids/{layer}/{code}":              "401  200  200  200  200  200  200  200  200  200  200  403",
    "GET /api/v1/grids/{layer}/{code} · elsewhere":  "401  200  200  200  200  200  404  404  404  404  200  403",
    "PATCH /api/v1/grids/{layer}/{code}":            "401  200  403  403  403  403  403  403  200  403  403  403",
    "PUT /api/v1/grids/{layer}/{code}/duties":       "401  200  403  403  403  403  403  403  200  403  403  403",
    "GET /api/v1/locate":                            "401  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/locate":                           "401  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/locate/csv":                       "401  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/boundaries":                       "401  400  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/layers/{code}/grids":              "401  200  403  403  403  403  403  403  403  403  403  403",
    # the catalog and the working calendar
    "GET /api/v1/catalog/items":                     "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/items/{kind}/{code}":       "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/deadlines":                 "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/deadlines/effective":       "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/components":                "401  200  200  200  200  200  200  200  200  200  200  403",
    "POST /api/v1/catalog/components":               "401  201  403  403  403  403  403  403  201  403  403  403",
    "GET /api/v1/catalog/components/{code}":         "401  200  200  200  200  200  200  200  200  200  200  403",
    "PATCH /api/v1/catalog/components/{code}":       "401  200  403  403  403  403  403  403  200  403  403  403",
    "GET /api/v1/worktime/days":                     "401  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/worktime/due":                     "401  200  200  200  200  200  200  200  200  200  200  403",
    # cases: intake and reads
    "POST /api/v1/cases":                            "401  201  403  201  201  403  201  201  201  201  403  201",
    "POST /api/v1/cases/form":                       "401  201  403  201  201  403  201  201  201  201  403  201",
    "POST /api/v1/cases/batch":                      "401  200  403  200  200  403  200  200  200  200  403  403",
    "GET /api/v1/cases":                             "401  200  200  200  200  200  200  200  200  200  200  403",
    "GET /api/v1/cases/{number}":                    "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/cases/{number} · elsewhere":        "401  200  200  200  200  200  404  404  404  404  404  404",
    "GET /api/v1/cases/{number}/timeline":           "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/cases/{number}/duplicates":         "401  200  200  200  200  200  200  200  200  200  200  403",
    "POST /api/v1/cases/{number}/photos":            "401  403  403  403  200  403  403  403  403  403  200  200",
    "GET /api/v1/cases/{number}/photos/{photo_id}":  "401  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/cases/scan":                       "401  200  403  403  403  403  403  403  403  403  403  403",
    # cases: actions, each on a case in the state it needs (handlers see only what was sent to their department,
    # residents only their own reports: 404 for the others)
    "POST /api/v1/cases/{number}/actions/{action} · assign_verify":
                                                     "401  403  403  200  200  403  403  403  403  403  404  404",
    "POST /api/v1/cases/{number}/actions/{action} · confirm":
                                                     "401  403  403  403  403  403  403  200  403  403  404  404",
    "POST /api/v1/cases/{number}/actions/{action} · register":
                                                     "401  403  403  200  200  403  403  403  403  403  404  404",
    "POST /api/v1/cases/{number}/actions/{action} · dispatch":
                                                     "401  403  403  403  200  200  403  403  403  403  404  404",
    "POST /api/v1/cases/{number}/actions/{action} · delegate":
                                                     "401  403  403  403  200  200  403  403  403  403  404  404",
    "POST /api/v1/cases/{number}/actions/{action} · urge":
                                                     "401  403  403  403  200  403  403  403  403  403  404  404",
    "POST /api/v1/cases/{number}/actions/{action} · accept":
                                                     "401  403  403  403  403  403  403  403  403  403  200  404",
    "POST /api/v1/cases/{number}/actions/{action} · approve_extension":
                                                     "401  403  403  403  200  403  403  403  403  403  403  404",
    "POST /api/v1/cases/{number}/actions/{action} · handle":
                                                     "401  403  403  403  403  403  403  403  403  403  200  404",
    "POST /api/v1/cases/{number}/actions/{action} · self_handle":
                                                     "401  403  403  403  403  403  403  403  403  200  404  404",
    "POST /api/v1/cases/{number}/actions/{action} · inspect_pass":
                                                     "401  403  403  403  403  403  403  200  403  403  403  404",
    "POST /api/v1/cases/{number}/actions/{action} · close":
                                                     "401  403  403  200  200  403  403  403  403  403  403  404",
    "POST /api/v1/cases/{number}/actions/{action} · follow_up":
                                                     "401  403  403  200  200  403  403  403  403  403  403  200",
    "POST /api/v1/cases/{number}/actions/{action} · archive":
                                                     "401  403  403  403  200  403  403  403  403  403  403  404",
    "POST /api/v1/cases/bulk/{action}":              "401  403  403  200  200  403  403  403  403  403  404  404",
    # the inbox and the audit log
    "GET /api/v1/notifications":                     "401  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/notifications/read":               "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/notifications/count":               "401  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/audit/records":                     "401  200  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/audit/verify":                      "401  200  403  403  403  403  403  403  403  403  403  403",
    # basic data: read (V: admin, leader, supervisor, grid leader, grid worker), collect and visit (admin, grid
    # leader, grid worker), import / export / unmask (admin, grid leader), configure and access log (admin)
    "GET /api/v1/basedata/buildings":                "401  200  200  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/basedata/buildings":               "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/buildings/{pk}":           "401  200  200  403  403  403  200  403  200  200  403  403",
    "PATCH /api/v1/basedata/buildings/{pk}":         "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/dwellings":                "401  200  200  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/basedata/dwellings":               "401  200  403  403  403  403  403  403  200  200  403  403",
    "PATCH /api/v1/basedata/dwellings/{pk}":         "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/residents":                "401  200  200  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/basedata/residents":               "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/residents/{pk}":           "401  200  200  403  403  403  200  403  200  200  403  403",
    "PATCH /api/v1/basedata/residents/{pk}":         "401  200  403  403  403  403  403  403  200  200  403  403",
    "POST /api/v1/basedata/residents/{pk}/move":     "401  200  403  403  403  403  403  403  200  200  403  403",
    "POST /api/v1/basedata/residents/{pk}/unmask":   "401  200  403  403  403  403  403  403  200  403  403  403",
    "POST /api/v1/basedata/residents/{pk}/tags":     "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/households/{pk}":          "401  200  200  403  403  403  200  403  200  200  403  403",
    "GET /api/v1/basedata/organisations":            "401  200  200  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/basedata/organisations":           "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/organisations/{pk}":       "401  200  200  403  403  403  200  403  200  200  403  403",
    "PATCH /api/v1/basedata/organisations/{pk}":     "401  200  403  403  403  403  403  403  200  200  403  403",
    "POST /api/v1/basedata/organisations/{pk}/unmask":
                                                     "401  200  403  403  403  403  403  403  200  403  403  403",
    "GET /api/v1/basedata/key-categories":           "401  200  200  403  403  403  200  403  200  200  403  403",
    "PUT /api/v1/basedata/key-categories/{code}":    "401  200  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/basedata/key-population":           "401  200  200  403  403  403  200  403  200  200  403  403",
    "GET /api/v1/basedata/visits":                   "401  200  200  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/basedata/visits":                  "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/diary":                    "401  200  200  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/basedata/diary":                   "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/visit-rules":              "401  200  200  403  403  403  200  403  200  200  403  403",
    "PUT /api/v1/basedata/visit-rules/{code}":       "401  200  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/basedata/households/{pk}/triggers":
                                                     "401  200  403  403  403  403  403  403  200  200  403  403",
    # the 待走访 list is the work list of those who visit
    "GET /api/v1/basedata/due":                      "401  200  403  403  403  403  403  403  200  200  403  403",
    "GET /api/v1/basedata/stats":                    "401  200  200  403  403  403  200  403  200  200  403  403",
    "GET /api/v1/basedata/ranking":                  "401  200  200  403  403  403  200  403  200  200  403  403",
    "GET /api/v1/basedata/templates/{kind}":         "401  200  200  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/basedata/imports/{kind}":          "401  200  403  403  403  403  403  403  200  403  403  403",
    "GET /api/v1/basedata/import-jobs/{pk}":         "401  200  403  403  403  403  403  403  200  403  403  403",
    "GET /api/v1/basedata/exports/{kind}":           "401  200  403  403  403  403  403  403  200  403  403  403",
    "GET /api/v1/basedata/access-log":               "401  200  403  403  403  403  403  403  403  403  403  403",
    # patrol: the grid worker goes on duty (签到/签退/轨迹/请假); positions, plans and anomalies are for the supervisor
    # chain (the worker their own, the grid leader, the street's supervisor, the administrator) — not the leader or
    # the centre; leave is decided by the grid leader or the supervisor; the attendance table also by the leader
    "GET /api/v1/patrol/plans":                      "401  200  403  403  403  403  200  403  200  200  403  403",
    "PUT /api/v1/patrol/plans/{grid_code}":          "401  200  403  403  403  403  200  403  200  403  403  403",
    "POST /api/v1/patrol/checkin":                   "401  403  403  403  403  403  403  403  403  201  403  403",
    "POST /api/v1/patrol/checkout":                  "401  403  403  403  403  403  403  403  403  200  403  403",
    "POST /api/v1/patrol/track":                     "401  403  403  403  403  403  403  403  403  200  403  403",
    "GET /api/v1/patrol/shifts":                     "401  200  403  403  403  403  200  403  200  200  403  403",
    "GET /api/v1/patrol/shifts/{shift_id}/track":    "401  200  403  403  403  403  200  403  200  200  403  403",
    "GET /api/v1/patrol/shifts/{shift_id}/track · elsewhere":
                                                     "401  200  403  403  403  403  404  403  404  404  403  403",
    "GET /api/v1/patrol/coverage":                   "401  200  403  403  403  403  200  403  200  200  403  403",
    "GET /api/v1/patrol/anomalies":                  "401  200  403  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/patrol/leaves":                    "401  403  403  403  403  403  403  403  403  201  403  403",
    "GET /api/v1/patrol/leaves":                     "401  200  403  403  403  403  200  403  200  200  403  403",
    "POST /api/v1/patrol/leaves/{leave_id}/decide":  "401  200  403  403  403  403  200  403  200  403  403  403",
    "GET /api/v1/patrol/attendance":                 "401  200  200  403  403  403  200  403  200  403  403  403",
    "GET /api/v1/patrol/attendance/export":          "401  200  200  403  403  403  200  403  200  403  403  403",
}

# Where the code answers otherwise today: the answers of today, and why they are not the specification.
TODAY: dict[str, tuple[str, str]] = {}


# ------------------------------------------------------------------------------------------ the requests


@dataclass
class Row:
    method: str
    path: str  # concrete path; {name} filled from ctx
    body: object = None  # JSON-able, or a function (ctx, post) → body
    kind: str = "json"  # json | csv | raw | multipart
    setup: object = None  # a function (ctx, users) → more ctx, run once before the posts
    extra: dict = field(default_factory=dict)


ROOT = "/api/v1"
OWN_GRID, OTHER_STREET_GRID, COMMUNITY = "110101001001W001", "110101002001W001", "110101001001"
SOURCE = {"gridworker": "grid_worker", "gridleader": "grid_worker", "supervisor": "grid_worker",
          "inspector": "inspector", "resident": "resident"}  # the centre and the rest report a hotline call


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 160, 60)).save(buf, "PNG")
    return buf.getvalue()


def report_body(ctx, post):
    return {"source": SOURCE.get(post, "hotline"), "lon": ctx["lon"], "lat": ctx["lat"], "matter": "06010",
            "description": "路边暴露垃圾", "reporter_phone": "13900001111"}


def base_ctx() -> dict:
    from gridgov.basedata.models import Household, Organisation, Resident
    from gridgov.catalog.models import Component
    from gridgov.geo.models import Grid

    unit = Grid.objects.filter(layer__code="unit", parent__code=OWN_GRID).order_by("code").first()
    p = unit.shape.representative_point()
    person = Resident.objects.filter(scope_key__startswith=OWN_GRID + ".", status="active",
                                     household__isnull=False).order_by("id").first()
    return {
        "lon": p.x, "lat": p.y, "unit": unit.code,
        "component": Component.objects.filter(scope_key__startswith=OWN_GRID + ".").order_by("code").first().code,
        "person": person.pk, "household": person.household_id, "dwelling": person.dwelling_id,
        "building": person.dwelling.building_id,
        "org": Organisation.objects.filter(scope_key__startswith=OWN_GRID + ".").order_by("id").first().pk,
        "household_w001": Household.objects.filter(scope_key__startswith=OWN_GRID + ".").order_by("id").first().pk,
    }


# --- cases in the state each row needs, driven through the services by the posts of the loop

def _case(users, reporter="gridworker", source="grid_worker", lon=None, lat=None, ctx=None):
    from gridgov.cases import services

    r = services.intake(users[reporter], source=source, lon=lon if lon is not None else ctx["lon"],
                        lat=lat if lat is not None else ctx["lat"], description="路边暴露垃圾", matter="06010",
                        reporter_phone="13900001111")
    return r.case.number


STEPS = [  # the loop, in order: (state reached, who, action, data)
    ("verifying", "intake", "assign_verify", {}),
    ("verified", "inspector", "confirm", {}),
    ("registered", "intake", "register", {"matter": "06010"}),
    ("dispatched", "dispatcher", "dispatch", {"department": "110101-HW"}),
    ("accepted", "handler", "accept", {}),
    ("handled", "handler", "handle", {"feedback": "已清运"}),
    ("inspected", "inspector", "inspect_pass", {}),
    ("closed", "intake", "close", {}),
]


def case_in(state: str, reporter: str = "gridworker", source: str = "grid_worker"):
    def setup(ctx, users):
        from gridgov.cases import services

        number = _case(users, reporter, source, ctx=ctx)
        for reached, who, action, data in STEPS if state != "reported" else []:
            services.transition(users[who], number, action, data)
            if reached == state:
                break
        return {"number": number}
    return setup


def read_case(ctx, users):
    """A resident's report, verified, registered and sent to 区环境卫生服务中心, with one photo."""
    from gridgov.cases.models import Case
    from gridgov.cases.services.photos import store_photos

    out = case_in("dispatched", "resident", "resident")(ctx, users)
    stored, errors = store_photos(Case.objects.get(number=out["number"]), [("现场.png", png())], "report",
                                  users["resident"])
    assert stored and not errors
    return {**out, "photo": stored[0].pk}


def case_elsewhere(ctx, users):
    from gridgov.geo.models import Grid

    p = Grid.objects.filter(layer__code="unit", parent__code=OTHER_STREET_GRID).order_by("code").first()
    p = p.shape.representative_point()
    return {"number": _case(users, "intake", "hotline", p.x, p.y)}


def pending_extension(ctx, users):
    from gridgov.cases import services

    out = case_in("accepted")(ctx, users)
    services.transition(users["handler"], out["number"], "request_extension", {"reason": "需采购", "amount": 2})
    return out


def import_job(ctx, users):
    from gridgov.basedata.models import ImportJob

    job = ImportJob.objects.create(register="residents", user=users["gridleader"], scope_key=COMMUNITY,
                                   file_name="residents.csv", status="done")
    return {"job": job.pk}


def residents_csv(ctx, post) -> bytes:
    from gridgov.basedata.logic import synthetic
    from gridgov.basedata.models import Dwelling

    codes = list(Dwelling.objects.filter(scope_key__startswith=OWN_GRID + ".").order_by("code")
                 .values_list("code", flat=True)[:2])
    return synthetic.resident_file(2, codes, start=12_000_000)


def new_resident(ctx, post):
    from gridgov.basedata.logic.ids import id_check_char

    body = "11010119900101123"
    return {"name": "测试人", "id_number": body + id_check_char(body), "phone": "13800001234", "reg_type": "流动",
            "dwelling_id": ctx["dwelling"], "household_number": "MATRIX-HH-1", "relation": "户主"}


def credit_code() -> str:
    from gridgov.basedata.logic.ids import make_credit

    return make_credit("92", "110101", "MA0000001")


FIRE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"code": "XF-01", "name": "消防一号网格"},
     "geometry": {"type": "Polygon", "coordinates": [[[116.41, 39.93], [116.415, 39.93], [116.415, 39.935],
                                                      [116.41, 39.935], [116.41, 39.93]]]}}]}


def act(action, setup, **data):
    return Row("post", f"{ROOT}/cases/{{number}}/actions/{action}", data, setup=setup)


def worker_token(ctx, users):
    from gridgov.accounts import services

    token, _ = services.issue_token(users["gridworker"], users["gridworker"], "matrix")
    return {"token": token.pk}


# --- patrol: the demo grid worker on duty in their grid, a worker of another street on duty in theirs, a leave


def on_duty(ctx, users):
    from gridgov.patrol import services

    return {"shift": services.checkin(users["gridworker"], ctx["lon"], ctx["lat"]).pk}


def on_duty_elsewhere(ctx, users):
    from gridgov.accounts.models import User
    from gridgov.geo.models import Grid
    from gridgov.patrol import services

    p = Grid.objects.filter(layer__code="unit", parent__code=OTHER_STREET_GRID).order_by("code").first()
    p = p.shape.representative_point()
    worker = User.objects.get(node_key=OTHER_STREET_GRID, role="grid_worker")
    return {"shift": services.checkin(worker, p.x, p.y).pk}


def track_batch(ctx, post):
    from django.utils import timezone

    return {"shift_id": ctx["shift"], "points": [{"seq": 1, "at": timezone.now().isoformat(), "lon": ctx["lon"],
                                                  "lat": ctx["lat"], "accuracy": 10}]}


def asked_leave(ctx, users):
    import datetime as dt

    from gridgov.patrol import services

    return {"leave": services.request_leave(users["gridworker"], dt.date(2026, 11, 20), dt.date(2026, 11, 20),
                                            "家中有事").pk}


ROWS = {
    "GET /api/v1/auth/tokens": Row("get", f"{ROOT}/auth/tokens"),
    "DELETE /api/v1/auth/tokens/{token_id}": Row("delete", f"{ROOT}/auth/tokens/{{token}}", setup=worker_token),
    "POST /api/v1/auth/tokens/{token_id}/revoke": Row("post", f"{ROOT}/auth/tokens/{{token}}/revoke",
                                                      setup=worker_token),
    "POST /api/v1/privacy/search": Row("post", f"{ROOT}/privacy/search",
                                       {"phone": "13900000000", "reason": "本人申请查询"}),
    "POST /api/v1/privacy/export": Row("post", f"{ROOT}/privacy/export",
                                       {"phone": "13900000000", "reason": "本人申请复制"}),
    "POST /api/v1/privacy/residents/{pk}/corrections": Row(
        "post", f"{ROOT}/privacy/residents/{{person}}/corrections",
        {"field": "name", "value": "更正后", "reason": "以户口簿为准"}),
    "POST /api/v1/privacy/residents/{pk}/erase": Row("post", f"{ROOT}/privacy/residents/{{person}}/erase",
                                                     {"reason": "本人申请删除"}),
    "GET /api/v1/privacy/retention": Row("get", f"{ROOT}/privacy/retention"),
    "PUT /api/v1/privacy/retention/{kind}": Row("put", f"{ROOT}/privacy/retention/case_reporter", {"days": 200}),
    "POST /api/v1/privacy/purge": Row("post", f"{ROOT}/privacy/purge"),
    "POST /api/v1/auth/token": Row("post", f"{ROOT}/auth/token", {"username": "gridworker",
                                                                   "password": "gridgov-demo"}),
    "GET /api/v1/me": Row("get", f"{ROOT}/me"),
    "GET /api/v1/tree": Row("get", f"{ROOT}/tree"),
    "GET /api/v1/tree/{code}": Row("get", f"{ROOT}/tree/{COMMUNITY}"),
    "GET /api/v1/layers": Row("get", f"{ROOT}/layers"),
    "GET /api/v1/grids": Row("get", f"{ROOT}/grids?layer=management&community={COMMUNITY}"),
    "GET /api/v1/grids/{layer}/{code}": Row("get", f"{ROOT}/grids/management/{OWN_GRID}"),
    "GET /api/v1/grids/{layer}/{code} · elsewhere": Row("get", f"{ROOT}/grids/management/{OTHER_STREET_GRID}"),
    "PATCH /api/v1/grids/{layer}/{code}": Row("patch", f"{ROOT}/grids/management/{OWN_GRID}", {"grid_class": "1"}),
    "PUT /api/v1/grids/{layer}/{code}/duties": Row("put", f"{ROOT}/grids/management/{OWN_GRID}/duties", []),
    "GET /api/v1/locate": Row("get", f"{ROOT}/locate?lon={{lon}}&lat={{lat}}"),
    "POST /api/v1/locate": Row("post", f"{ROOT}/locate", lambda c, p: {"points": [[c["lon"], c["lat"]]]}),
    "POST /api/v1/locate/csv": Row("post", f"{ROOT}/locate/csv", lambda c, p: f"lon,lat\n{c['lon']},{c['lat']}\n",
                                   kind="csv"),
    # an unreadable file: the right is checked before the file is read (the administrator gets the file's error)
    "POST /api/v1/boundaries": Row("post", f"{ROOT}/boundaries?code=110101001001", "这不是 GeoJSON", kind="raw"),
    "POST /api/v1/layers/{code}/grids": Row("post", f"{ROOT}/layers/fire/grids?name=消防网格", FIRE),
    "GET /api/v1/catalog/items": Row("get", f"{ROOT}/catalog/items?kind=matter&major=06"),
    "GET /api/v1/catalog/items/{kind}/{code}": Row("get", f"{ROOT}/catalog/items/matter/06010"),
    "GET /api/v1/catalog/deadlines": Row("get", f"{ROOT}/catalog/deadlines?matter=06010"),
    "GET /api/v1/catalog/deadlines/effective": Row("get", f"{ROOT}/catalog/deadlines/effective?stage=handle&matter=06010"),
    "GET /api/v1/catalog/components": Row("get", f"{ROOT}/catalog/components?grid={{unit}}"),
    "POST /api/v1/catalog/components": Row("post", f"{ROOT}/catalog/components",
                                           lambda c, p: {"item_code": "01002", "lon": c["lon"], "lat": c["lat"]}),
    "GET /api/v1/catalog/components/{code}": Row("get", f"{ROOT}/catalog/components/{{component}}"),
    "PATCH /api/v1/catalog/components/{code}": Row("patch", f"{ROOT}/catalog/components/{{component}}",
                                                   {"note": "井盖已更换"}),
    "GET /api/v1/worktime/days": Row("get", f"{ROOT}/worktime/days?year=2026"),
    "POST /api/v1/worktime/due": Row("post", f"{ROOT}/worktime/due", {"start": "2026-02-13T10:00:00+08:00",
                                                                      "amount": 2, "unit": "work_days"}),
    "POST /api/v1/cases": Row("post", f"{ROOT}/cases", report_body),
    "POST /api/v1/cases/form": Row("post", f"{ROOT}/cases/form", report_body, kind="multipart"),
    "POST /api/v1/cases/batch": Row("post", f"{ROOT}/cases/batch", lambda c, p: {"reports": [report_body(c, p)]}),
    "GET /api/v1/cases": Row("get", f"{ROOT}/cases?limit=5"),
    "GET /api/v1/cases/{number}": Row("get", f"{ROOT}/cases/{{number}}", setup=read_case),
    "GET /api/v1/cases/{number} · elsewhere": Row("get", f"{ROOT}/cases/{{number}}", setup=case_elsewhere),
    "GET /api/v1/cases/{number}/timeline": Row("get", f"{ROOT}/cases/{{number}}/timeline", setup=read_case),
    "GET /api/v1/cases/{number}/duplicates": Row("get", f"{ROOT}/cases/{{number}}/duplicates", setup=read_case),
    "POST /api/v1/cases/{number}/photos": Row("post", f"{ROOT}/cases/{{number}}/photos",
                                              lambda c, p: {"kind": "report"}, kind="multipart", setup=read_case,
                                              extra={"photos": "png"}),
    "GET /api/v1/cases/{number}/photos/{photo_id}": Row("get", f"{ROOT}/cases/{{number}}/photos/{{photo}}",
                                                        setup=read_case),
    "POST /api/v1/cases/scan": Row("post", f"{ROOT}/cases/scan"),
    "POST /api/v1/cases/{number}/actions/{action} · assign_verify": act("assign_verify", case_in("reported")),
    "POST /api/v1/cases/{number}/actions/{action} · confirm": act("confirm", case_in("verifying")),
    "POST /api/v1/cases/{number}/actions/{action} · register": act("register", case_in("verified")),
    "POST /api/v1/cases/{number}/actions/{action} · dispatch": act("dispatch", case_in("registered"),
                                                                  department="110101-HW"),
    "POST /api/v1/cases/{number}/actions/{action} · delegate": act("delegate", case_in("registered"),
                                                                  node=COMMUNITY),
    "POST /api/v1/cases/{number}/actions/{action} · urge": act("urge", case_in("registered"), reason="请尽快派遣"),
    "POST /api/v1/cases/{number}/actions/{action} · accept": act("accept", case_in("dispatched")),
    "POST /api/v1/cases/{number}/actions/{action} · approve_extension": act("approve_extension", pending_extension),
    "POST /api/v1/cases/{number}/actions/{action} · handle": act("handle", case_in("accepted"), feedback="已清运"),
    "POST /api/v1/cases/{number}/actions/{action} · self_handle": act("self_handle", case_in("reported"),
                                                                     feedback="已当场清理"),
    "POST /api/v1/cases/{number}/actions/{action} · inspect_pass": act("inspect_pass", case_in("handled")),
    "POST /api/v1/cases/{number}/actions/{action} · close": act("close", case_in("inspected")),
    "POST /api/v1/cases/{number}/actions/{action} · follow_up": act("follow_up", case_in("closed", "resident",
                                                                                        "resident"), satisfaction=5),
    "POST /api/v1/cases/{number}/actions/{action} · archive": act("archive", case_in("closed")),
    "POST /api/v1/cases/bulk/{action}": Row("post", f"{ROOT}/cases/bulk/register",
                                            lambda c, p: {"cases": [{"number": c["number"]}]},
                                            setup=case_in("verified")),
    "GET /api/v1/notifications": Row("get", f"{ROOT}/notifications"),
    "POST /api/v1/notifications/read": Row("post", f"{ROOT}/notifications/read", {"ids": []}),
    "GET /api/v1/notifications/count": Row("get", f"{ROOT}/notifications/count"),
    "GET /api/v1/audit/records": Row("get", f"{ROOT}/audit/records?limit=5"),
    "GET /api/v1/audit/verify": Row("get", f"{ROOT}/audit/verify"),
    "GET /api/v1/basedata/buildings": Row("get", f"{ROOT}/basedata/buildings?limit=5"),
    "POST /api/v1/basedata/buildings": Row("post", f"{ROOT}/basedata/buildings",
                                           lambda c, p: {"code": "MATRIX-B1", "name": "矩阵测试楼", "floors": 6,
                                                         "address": "多福巷 9 号", "lon": c["lon"], "lat": c["lat"]}),
    "GET /api/v1/basedata/buildings/{pk}": Row("get", f"{ROOT}/basedata/buildings/{{building}}"),
    "PATCH /api/v1/basedata/buildings/{pk}": Row("patch", f"{ROOT}/basedata/buildings/{{building}}", {"floors": 7}),
    "GET /api/v1/basedata/dwellings": Row("get", f"{ROOT}/basedata/dwellings?building_id={{building}}"),
    "POST /api/v1/basedata/dwellings": Row("post", f"{ROOT}/basedata/dwellings",
                                           lambda c, p: {"building_id": c["building"], "unit_no": "9", "floor": 9,
                                                         "room": "909", "use": "出租", "area_m2": 60}),
    "PATCH /api/v1/basedata/dwellings/{pk}": Row("patch", f"{ROOT}/basedata/dwellings/{{dwelling}}", {"area_m2": 61}),
    "GET /api/v1/basedata/residents": Row("get", f"{ROOT}/basedata/residents?limit=5"),
    "POST /api/v1/basedata/residents": Row("post", f"{ROOT}/basedata/residents", new_resident),
    "GET /api/v1/basedata/residents/{pk}": Row("get", f"{ROOT}/basedata/residents/{{person}}"),
    "PATCH /api/v1/basedata/residents/{pk}": Row("patch", f"{ROOT}/basedata/residents/{{person}}",
                                                 {"phone": "13900004321"}),
    "POST /api/v1/basedata/residents/{pk}/move": Row("post", f"{ROOT}/basedata/residents/{{person}}/move",
                                                     {"kind": "cancel", "date": "2026-11-20", "reason": "死亡注销"}),
    "POST /api/v1/basedata/residents/{pk}/unmask": Row("post", f"{ROOT}/basedata/residents/{{person}}/unmask",
                                                       {"reason": "办理低保核对身份"}),
    "POST /api/v1/basedata/residents/{pk}/tags": Row("post", f"{ROOT}/basedata/residents/{{person}}/tags",
                                                     {"category": "elderly_alone"}),
    "GET /api/v1/basedata/households/{pk}": Row("get", f"{ROOT}/basedata/households/{{household}}"),
    "GET /api/v1/basedata/organisations": Row("get", f"{ROOT}/basedata/organisations?limit=5"),
    "POST /api/v1/basedata/organisations": Row("post", f"{ROOT}/basedata/organisations",
                                               lambda c, p: {"name": "矩阵测试便利店", "kind": "个体工商户",
                                                             "credit_code": credit_code(), "address": "多福巷 9 号",
                                                             "lon": c["lon"], "lat": c["lat"]}),
    "GET /api/v1/basedata/organisations/{pk}": Row("get", f"{ROOT}/basedata/organisations/{{org}}"),
    "PATCH /api/v1/basedata/organisations/{pk}": Row("patch", f"{ROOT}/basedata/organisations/{{org}}",
                                                     {"address": "多福巷 1 号"}),
    "POST /api/v1/basedata/organisations/{pk}/unmask": Row("post", f"{ROOT}/basedata/organisations/{{org}}/unmask",
                                                           {"reason": "联系负责人"}),
    "GET /api/v1/basedata/key-categories": Row("get", f"{ROOT}/basedata/key-categories"),
    "PUT /api/v1/basedata/key-categories/{code}": Row("put", f"{ROOT}/basedata/key-categories/veterans",
                                                      {"code": "veterans", "name": "退役军人",
                                                       "visit_interval_days": 90, "roles": ["grid_worker"]}),
    "GET /api/v1/basedata/key-population": Row("get", f"{ROOT}/basedata/key-population?limit=5"),
    "GET /api/v1/basedata/visits": Row("get", f"{ROOT}/basedata/visits?limit=5"),
    "POST /api/v1/basedata/visits": Row("post", f"{ROOT}/basedata/visits",
                                        lambda c, p: {"household_id": c["household"], "issues": "反映楼道灯不亮"}),
    "GET /api/v1/basedata/diary": Row("get", f"{ROOT}/basedata/diary?limit=5"),
    "POST /api/v1/basedata/diary": Row("post", f"{ROOT}/basedata/diary", {"content": "今日走访 3 户"}),
    "GET /api/v1/basedata/visit-rules": Row("get", f"{ROOT}/basedata/visit-rules"),
    "PUT /api/v1/basedata/visit-rules/{code}": Row("put", f"{ROOT}/basedata/visit-rules/illness",
                                                   {"name": "家中有人患重病", "within_days": 3}),
    "POST /api/v1/basedata/households/{pk}/triggers": Row("post", f"{ROOT}/basedata/households/{{household}}/triggers",
                                                          {"rule": "illness", "occurred_on": "2026-11-20"}),
    "GET /api/v1/basedata/due": Row("get", f"{ROOT}/basedata/due"),
    "GET /api/v1/basedata/stats": Row("get", f"{ROOT}/basedata/stats"),
    "GET /api/v1/basedata/ranking": Row("get", f"{ROOT}/basedata/ranking?date=2026-11-20"),
    "GET /api/v1/basedata/templates/{kind}": Row("get", f"{ROOT}/basedata/templates/residents?format=csv"),
    "POST /api/v1/basedata/imports/{kind}": Row("post", f"{ROOT}/basedata/imports/residents?skip_bad=true",
                                                residents_csv, kind="raw"),
    "GET /api/v1/basedata/import-jobs/{pk}": Row("get", f"{ROOT}/basedata/import-jobs/{{job}}", setup=import_job),
    "GET /api/v1/basedata/exports/{kind}": Row("get", f"{ROOT}/basedata/exports/residents?format=csv&node={OWN_GRID}"),
    "GET /api/v1/basedata/access-log": Row("get", f"{ROOT}/basedata/access-log?limit=5"),
    # patrol
    "GET /api/v1/patrol/plans": Row("get", f"{ROOT}/patrol/plans"),
    "PUT /api/v1/patrol/plans/{grid_code}": Row("put", f"{ROOT}/patrol/plans/{OWN_GRID}", {"per_week": 4}),
    "POST /api/v1/patrol/checkin": Row("post", f"{ROOT}/patrol/checkin", lambda c, p: {"lon": c["lon"], "lat": c["lat"]}),
    "POST /api/v1/patrol/checkout": Row("post", f"{ROOT}/patrol/checkout",
                                        lambda c, p: {"lon": c["lon"], "lat": c["lat"]}, setup=on_duty),
    "POST /api/v1/patrol/track": Row("post", f"{ROOT}/patrol/track", track_batch, setup=on_duty),
    "GET /api/v1/patrol/shifts": Row("get", f"{ROOT}/patrol/shifts"),
    "GET /api/v1/patrol/shifts/{shift_id}/track": Row("get", f"{ROOT}/patrol/shifts/{{shift}}/track", setup=on_duty),
    "GET /api/v1/patrol/shifts/{shift_id}/track · elsewhere": Row("get", f"{ROOT}/patrol/shifts/{{shift}}/track",
                                                                 setup=on_duty_elsewhere),
    "GET /api/v1/patrol/coverage": Row("get", f"{ROOT}/patrol/coverage?date_from=2026-11-01&date_to=2026-11-30"),
    "GET /api/v1/patrol/anomalies": Row("get", f"{ROOT}/patrol/anomalies"),
    "POST /api/v1/patrol/leaves": Row("post", f"{ROOT}/patrol/leaves",
                                      {"start": "2026-11-20", "end": "2026-11-20", "reason": "家中有事"}),
    "GET /api/v1/patrol/leaves": Row("get", f"{ROOT}/patrol/leaves"),
    "POST /api/v1/patrol/leaves/{leave_id}/decide": Row("post", f"{ROOT}/patrol/leaves/{{leave}}/decide",
                                                        {"approve": True}, setup=asked_leave),
    "GET /api/v1/patrol/attendance": Row("get", f"{ROOT}/patrol/attendance?month=2026-11"),
    "GET /api/v1/patrol/attendance/export": Row("get", f"{ROOT}/patrol/attendance/export?month=2026-11&format=xlsx"),
}


def statuses(text: str) -> list[int]:
    values = [int(x) for x in text.split()]
    assert len(values) == len(POSTS), text
    return values


def send(client: Client, row: Row, ctx: dict, post: str):
    path = row.path.format(**ctx)
    body = row.body(ctx, post) if callable(row.body) else row.body
    if row.method == "get":
        return client.get(path)
    if row.kind == "multipart":
        data = dict(body)
        if row.extra.get("photos"):
            data["photos"] = io.BytesIO(png())
            data["photos"].name = "现场.png"
        return client.post(path, data)
    if row.kind == "csv":
        return client.generic(row.method.upper(), path, body.encode(), content_type="text/csv")
    if row.kind == "raw":
        raw = body if isinstance(body, bytes) else str(body).encode()
        return client.generic(row.method.upper(), path, raw, content_type="text/csv")
    data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    return client.generic(row.method.upper(), path, data, content_type="application/json")


class _Undo(Exception):
    pass


def answers(key: str, users) -> dict[str, tuple[int, str]]:
    """What each post gets for the row, each request in its own rolled-back savepoint (nothing it writes stays)."""
    row = ROWS[key]
    ctx = base_ctx()
    if row.setup:
        ctx.update(row.setup(ctx, users))
    out = {}
    for post in POSTS:
        try:
            with transaction.atomic():
                client = Client()
                if post != "anonymous":
                    client.force_login(users[post])
                audit_before = AuditRecord.objects.count()
                r = send(client, row, ctx, post)
                problem = ""
                if r.status_code >= 400:
                    try:
                        err = r.json()
                    except ValueError:
                        err = {}
                    if not (isinstance(err, dict) and err.get("code") and err.get("message")):
                        problem = f"error body is not {{code, message}}: {r.content[:120]!r}"
                    elif AuditRecord.objects.count() != audit_before:
                        problem = "a refused request wrote an audit record"
                out[post] = (r.status_code, problem or (r.content[:160].decode(errors="replace")
                                                        if r.status_code >= 400 else ""))
                raise _Undo
        except _Undo:
            pass
    return out


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_post_gets_what_the_table_says(key, users):
    got = answers(key, users)
    want = dict(zip(POSTS, statuses(TODAY[key][0] if key in TODAY else EXPECTED[key]), strict=True))
    wrong = {post: f"{got[post][0]} (want {want[post]}) {got[post][1]}" for post in POSTS
             if got[post][0] != want[post]}
    assert wrong == {}, key
    if key not in TODAY:  # every refusal is {"code", "message"} and writes nothing
        bad_bodies = {post: msg for post, (status, msg) in got.items() if status >= 400 and msg.startswith(
            ("error body", "a refused"))}
        assert bad_bodies == {}, key


def test_every_operation_has_a_row(client_for):
    """A new endpoint must be added to the matrix: every operation of the OpenAPI document has a row, every row
    names an operation that exists, and every row has its 12 answers."""
    schema = client_for("admin").get("/api/v1/openapi.json").json()
    operations = {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}
    rows = {key.split(" · ")[0] for key in ROWS}
    assert operations - rows == set(), "operations without a row in the permission matrix"
    assert rows - operations == set(), "rows for operations that do not exist"
    assert set(ROWS) == set(EXPECTED)
    assert all(len(statuses(v)) == len(POSTS) for v in EXPECTED.values())
    assert set(TODAY) <= set(EXPECTED)


def test_known_differences_still_differ():
    """Each entry of TODAY names a real difference; when the code is fixed, remove the entry."""
    for key, (today, why) in TODAY.items():
        assert statuses(today) != statuses(EXPECTED[key]) and why, key


def test_a_resident_never_sees_the_cases_near_their_report(users, client_for):
    """Duplicate suggestions name other people's cases (number, status, description): staff see them, a resident
    reporting next to an open case gets none — neither in the answer to the report nor from /duplicates."""
    ctx = base_ctx()
    first = _case(users, ctx=ctx)
    staff = client_for("gridworker").post(f"{ROOT}/cases", report_body(ctx, "gridworker"),
                                          content_type="application/json")
    assert staff.status_code == 201 and first in [d["number"] for d in staff.json()["duplicates"]]
    mine = client_for("resident").post(f"{ROOT}/cases", report_body(ctx, "resident"), content_type="application/json")
    assert mine.status_code == 201 and mine.json()["duplicates"] == []
    number = mine.json()["case"]["number"]
    r = client_for("resident").get(f"{ROOT}/cases/{number}/duplicates")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert first in [d["number"] for d in client_for("intake").get(f"{ROOT}/cases/{number}/duplicates").json()["items"]]
