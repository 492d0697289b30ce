"""Who may call what: every operation of the API, for every post, with the answer written out by hand.

The expected statuses below are typed from what the README and the seeds say each post does — not from
``gridgov.accounts.roles.RIGHTS`` nor from the transition table:

- levels: the 信息员 (clerk, 13th column) records reports at the centre's desk and sends them to be verified
  (预立案: 派核实), like the 受理员 reads and reports, but does not register, close or follow up; the street's 督导员
  divides and adjusts its street's grids (geo.edit); a report that enters at the grid is 受理'd and sent up by the
  grid's people;
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
are filled from ``ctx``; ``setup`` prepares objects), and its 13 statuses in EXPECTED in the column order of POSTS.
Where the code answers otherwise today, the row's answers of today go in TODAY with the reason — a test fails as
soon as the code changes, so the entry is moved, not forgotten.
"""

import datetime as dt
import io
import json
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client

from gridgov.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

POSTS = ["anonymous", "admin", "leader", "intake", "shift", "dispatcher", "supervisor", "inspector", "gridleader",
         "gridworker", "handler", "resident", "clerk"]  # levels: 信息员 (clerk) is the 13th column

# ------------------------------------------------------------------------------------------ what each post gets
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res
EXPECTED = {
    # accounts
    "POST /api/v1/auth/token":                       "201  201  201  201  201  201  201  201  201  201  201  201  201",
    "GET /api/v1/me":                                "401  200  200  200  200  200  200  200  200  200  200  200  200",
    # one's own tokens; an administrator also those of the accounts in scope (the grid worker's token here)
    "GET /api/v1/auth/tokens":                       "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "DELETE /api/v1/auth/tokens/{token_id}":         "401  200  404  404  404  404  404  404  404  200  404  404  404",
    "POST /api/v1/auth/tokens/{token_id}/revoke":    "401  200  404  404  404  404  404  404  404  200  404  404  404",
    # 个人信息 requests (查询、复制、删除) and retention periods: the administrator's; erasure of a resident
    # still living here is refused (the register keeps them)
    "POST /api/v1/privacy/search":                   "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/privacy/export":                   "401  200  403  403  403  403  403  403  403  403  403  403  403",
    # a correction is made by those who keep the register of the grid (collected by 网格员, 网格长, the administrator)
    "POST /api/v1/privacy/residents/{pk}/corrections": "401  201  403  403  403  403  403  403  201  201  403  403  403",
    "POST /api/v1/privacy/residents/{pk}/erase":     "401  409  403  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/privacy/retention":                 "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "PUT /api/v1/privacy/retention/{kind}":          "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/privacy/purge":                    "401  200  403  403  403  403  403  403  403  403  403  403  403",
    # the territory
    "GET /api/v1/tree":                              "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/tree/{code}":                       "401  200  200  200  200  200  200  200  200  404  200  403  200",
    "GET /api/v1/layers":                            "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/grids":                             "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/grids/{layer}/{code}":              "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/grids/{layer}/{code} · elsewhere":  "401  200  200  200  200  200  404  404  404  404  200  403  200",
    "PATCH /api/v1/grids/{layer}/{code}":            "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "PUT /api/v1/grids/{layer}/{code}/duties":       "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/locate":                            "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/locate":                           "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/locate/csv":                       "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/boundaries":                       "401  400  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/layers/{code}/grids":              "401  200  403  403  403  403  403  403  403  403  403  403  403",
    # gridchange: grid change plans are read like the territory (within scope: the grid worker's grid is below the
    # community the plan is for); planned and applied by those who edit grids (the grid leader, the administrator)
    "GET /api/v1/grid-changes":                      "401  200  200  200  200  200  200  200  200  200  200  403  200",
    # grid changes are planned and applied by whoever may edit the grids: the administrator, the community's 网格长
    # and the street's 督导员 (seeds 000, 002 「街道级负责网格划分」)
    "POST /api/v1/grid-changes":                     "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/grid-changes/{change_id}":          "401  200  200  200  200  200  200  200  200  404  200  403  200",
    "POST /api/v1/grid-changes/{change_id}/apply":   "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/grid-changes/{change_id}/grid-mapping":
                                                     "401  200  200  200  200  200  200  200  200  404  200  403  200",
    "GET /api/v1/grid-changes/{change_id}/case-mapping":
                                                     "401  200  200  200  200  200  200  200  200  404  200  403  200",
    "GET /api/v1/grid-changes/{change_id}/map":      "401  200  200  200  200  200  200  200  200  404  200  403  200",
    # the catalog and the working calendar
    "GET /api/v1/catalog/items":                     "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/items/{kind}/{code}":       "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/deadlines":                 "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/deadlines/effective":       "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/catalog/components":                "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/catalog/components":               "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/catalog/components/{code}":         "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "PATCH /api/v1/catalog/components/{code}":       "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/worktime/days":                     "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/worktime/due":                     "401  200  200  200  200  200  200  200  200  200  200  403  200",
    # cases: intake and reads
    "POST /api/v1/cases":                            "401  201  403  201  201  403  201  201  201  201  403  201  201",
    "POST /api/v1/cases/form":                       "401  201  403  201  201  403  201  201  201  201  403  201  201",
    "POST /api/v1/cases/batch":                      "401  200  403  200  200  403  200  200  200  200  403  403  200",
    "GET /api/v1/cases":                             "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/cases/{number}":                    "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/cases/{number} · elsewhere":        "401  200  200  200  200  200  404  404  404  404  404  404  200",
    "GET /api/v1/cases/{number}/timeline":           "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/cases/{number}/duplicates":         "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/cases/{number}/photos":            "401  403  403  403  200  403  403  403  403  403  200  200  403",
    "GET /api/v1/cases/{number}/photos/{photo_id}":  "401  200  200  200  200  200  200  200  200  200  200  200  200",
    # levels: 小事不出网格、大事不出社区 — read by every staff post within its scope
    "GET /api/v1/cases/levels/settled":              "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/cases/scan":                       "401  200  403  403  403  403  403  403  403  403  403  403  403",
    # cases: actions, each on a case in the state it needs (handlers see only what was sent to their department,
    # residents only their own reports: 404 for the others)
    "POST /api/v1/cases/{number}/actions/{action} · assign_verify":
                                                     "401  403  403  200  200  403  403  403  403  403  404  404  200",
    "POST /api/v1/cases/{number}/actions/{action} · confirm":
                                                     "401  403  403  403  403  403  403  200  403  403  404  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · register":
                                                     "401  403  403  200  200  403  403  403  403  403  404  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · dispatch":
                                                     "401  403  403  403  200  200  403  403  403  403  404  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · delegate":
                                                     "401  403  403  403  200  200  403  403  403  403  404  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · urge":
                                                     "401  403  403  403  200  403  403  403  403  403  404  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · accept":
                                                     "401  403  403  403  403  403  403  403  403  403  200  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · approve_extension":
                                                     "401  403  403  403  200  403  403  403  403  403  403  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · handle":
                                                     "401  403  403  403  403  403  403  403  403  403  200  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · self_handle":
                                                     "401  403  403  403  403  403  403  403  403  200  404  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · inspect_pass":
                                                     "401  403  403  403  403  403  403  200  403  403  403  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · close":
                                                     "401  403  403  200  200  403  403  403  403  403  403  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · follow_up":
                                                     "401  403  403  200  200  403  403  403  403  403  403  200  403",
    "POST /api/v1/cases/{number}/actions/{action} · archive":
                                                     "401  403  403  403  200  403  403  403  403  403  403  404  403",
    # levels: a 邻里纠纷 reported by the grid worker waits with the 网格长 of its community (受理第一人) and the grid's
    # 网格员; once 受理'd at the grid, they may send it one level up (上报上级); nobody else holds that level
    "POST /api/v1/cases/{number}/actions/{action} · receive":
                                                     "401  403  403  403  403  403  403  403  200  200  404  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · escalate":
                                                     "401  403  403  403  403  403  403  403  200  200  404  404  403",
    "POST /api/v1/cases/bulk/{action}":              "401  403  403  200  200  403  403  403  403  403  404  404  403",
    # the inbox and the audit log
    # the city level (市→区派件), 督办通知书 and 责任争议 (the city's block): every staff post reads within its scope
    # (a department sees no 派件, and only the notices addressed to it); only a 市 node's centre sends a 派件 (the
    # district's posts are refused); the district centre that received it answers; a notice is issued by a centre's
    # shift leader, answered by the unit addressed (here a street: its 网格督导员) and reviewed by its issuer; a
    # department contests a dispatch to it, the centre (值班长, 派遣员) rules
    "GET /api/v1/oversight/dispatches":              "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/oversight/dispatches":             "401  403  403  403  403  403  403  403  403  403  404  404  403",
    "GET /api/v1/oversight/dispatches/{pk}":         "401  200  200  200  200  200  404  404  404  404  404  403  200",
    "POST /api/v1/oversight/dispatches/{pk}/answer": "401  403  403  403  200  200  404  404  404  404  404  403  403",
    "GET /api/v1/oversight/notices":                 "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/oversight/notices":                "401  403  403  403  201  403  403  403  403  403  403  403  403",
    "GET /api/v1/oversight/notices/{pk}":            "401  200  200  200  200  200  200  200  404  404  404  403  200",
    "POST /api/v1/oversight/notices/{pk}/replies":   "401  403  403  403  403  403  201  403  403  403  404  403  403",
    "POST /api/v1/oversight/notices/{pk}/review":    "401  403  403  403  200  403  403  403  403  403  403  403  403",
    "GET /api/v1/oversight/disputes":                "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/oversight/overview":                "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/cases/{number}/actions/{action} · contest":
                                                     "401  403  403  403  403  403  403  403  403  403  200  404  403",
    "POST /api/v1/cases/{number}/actions/{action} · rule_reject":
                                                     "401  403  403  403  200  200  403  403  403  403  403  404  403",
    "GET /api/v1/notifications":                     "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/notifications/read":               "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/notifications/count":               "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/audit/records":                     "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/audit/verify":                      "401  200  403  403  403  403  403  403  403  403  403  403  403",
    # basic data: read (V: admin, leader, supervisor, grid leader, grid worker), collect and visit (admin, grid
    # leader, grid worker), import / export / unmask (admin, grid leader), configure and access log (admin)
    "GET /api/v1/basedata/buildings":                "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/basedata/buildings":               "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/buildings/{pk}":           "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "PATCH /api/v1/basedata/buildings/{pk}":         "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/dwellings":                "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/basedata/dwellings":               "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "PATCH /api/v1/basedata/dwellings/{pk}":         "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/residents":                "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/basedata/residents":               "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/residents/{pk}":           "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "PATCH /api/v1/basedata/residents/{pk}":         "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "POST /api/v1/basedata/residents/{pk}/move":     "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "POST /api/v1/basedata/residents/{pk}/unmask":   "401  200  403  403  403  403  403  403  200  403  403  403  403",
    "POST /api/v1/basedata/residents/{pk}/tags":     "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/households/{pk}":          "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/basedata/organisations":            "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/basedata/organisations":           "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/organisations/{pk}":       "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "PATCH /api/v1/basedata/organisations/{pk}":     "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "POST /api/v1/basedata/organisations/{pk}/unmask":
                                                     "401  200  403  403  403  403  403  403  200  403  403  403  403",
    "GET /api/v1/basedata/key-categories":           "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "PUT /api/v1/basedata/key-categories/{code}":    "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/basedata/key-population":           "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/basedata/visits":                   "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/basedata/visits":                  "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/diary":                    "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/basedata/diary":                   "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/visit-rules":              "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "PUT /api/v1/basedata/visit-rules/{code}":       "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/basedata/households/{pk}/triggers":
                                                     "401  200  403  403  403  403  403  403  200  200  403  403  403",
    # the 待走访 list is the work list of those who visit
    # duty (值班与应急): the centre's posts (受理员, 值班长, 派遣员) and the leader read the plans, activations, roster,
    # who is on duty, the 值班日报 and 日产日清; the centre's posts tick 预案 steps, start a plan by hand and write the
    # 交班记录 (the leader reads only); the 值班长 keeps the roster; the administrator everything (the field, the
    # departments and residents: 403)
    "GET /api/v1/duty/plans":                        "401  200  200  200  200  200  403  403  403  403  403  403  200",
    "GET /api/v1/duty/activations":                  "401  200  200  200  200  200  403  403  403  403  403  403  200",
    "GET /api/v1/duty/activations/{pk}":             "401  200  200  200  200  200  403  403  403  403  403  403  200",
    "POST /api/v1/duty/activations":                 "401  201  403  201  201  201  403  403  403  403  403  403  201",
    "POST /api/v1/duty/activations/{pk}/steps/{order}/tick":
                                                     "401  200  403  200  200  200  403  403  403  403  403  403  200",
    "GET /api/v1/duty/roster":                       "401  200  200  200  200  200  403  403  403  403  403  403  200",
    "POST /api/v1/duty/shifts":                      "401  201  403  403  201  403  403  403  403  403  403  403  403",
    "PUT /api/v1/duty/shifts/{pk}":                  "401  200  403  403  200  403  403  403  403  403  403  403  403",
    "DELETE /api/v1/duty/shifts/{pk}":               "401  200  403  403  200  403  403  403  403  403  403  403  403",
    "GET /api/v1/duty/now":                          "401  200  200  200  200  200  403  403  403  403  403  403  200",
    "POST /api/v1/duty/handovers":                   "401  201  403  201  201  201  403  403  403  403  403  403  201",
    "GET /api/v1/duty/reports/{day}":                "401  200  200  200  200  200  403  403  403  403  403  403  200",
    "GET /api/v1/duty/reports/{day}/export":         "401  200  200  200  200  200  403  403  403  403  403  403  200",
    "GET /api/v1/duty/clearance":                    "401  200  200  200  200  200  403  403  403  403  403  403  200",
    # --- tasks (专项行动、专项工作、演练、例会): read by every staff post within scope (a campaign also by its units, a
    # meeting by its members); issued by the administrator, 值班长 and the street's 网格督导员; answered only by the
    # people of the unit (a street's supervisor is not the community's grid leader: 403); decided only by the
    # sender's office; drills and meetings organised by the administrator, 值班长, 网格督导员 and 网格长; minutes
    # confirmed only by the members they were sent to
    "GET /api/v1/tasks/campaigns":                   "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/tasks/campaigns":                  "401  201  403  403  201  403  201  403  403  403  403  403  403",
    "GET /api/v1/tasks/campaigns/{pk}":              "401  200  200  200  200  200  200  200  404  404  200  403  200",
    "POST /api/v1/tasks/campaigns/{pk}/reports":     "401  201  403  403  403  403  201  403  404  404  403  403  403",
    "GET /api/v1/tasks/campaigns/{pk}/export":       "401  200  200  200  200  200  200  200  404  404  200  403  200",
    "GET /api/v1/tasks/tasks":                       "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/tasks/tasks":                      "401  201  403  403  201  403  201  403  403  403  403  403  403",
    "GET /api/v1/tasks/tasks/{pk}":                  "401  200  200  200  200  200  200  200  200  404  404  403  200",
    "POST /api/v1/tasks/tasks/{pk}/feedback":        "401  200  403  403  403  403  403  403  200  404  404  403  403",
    "POST /api/v1/tasks/tasks/{pk}/decision":        "401  200  403  403  403  403  200  403  403  403  403  403  403",
    "GET /api/v1/tasks/tasks/{pk}/attachment":       "401  200  200  200  200  200  200  200  200  404  404  403  200",
    "GET /api/v1/tasks/todo":                        "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/tasks/drills":                      "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/tasks/drills":                     "401  201  403  403  201  403  201  403  201  403  403  403  403",
    "GET /api/v1/tasks/drills/{pk}":                 "401  200  200  200  200  200  200  200  200  404  200  403  200",
    "PATCH /api/v1/tasks/drills/{pk}":               "401  200  403  403  200  403  200  403  200  403  403  403  403",
    "POST /api/v1/tasks/drills/{pk}/photos":         "401  200  403  403  200  403  200  403  200  403  403  403  403",
    "GET /api/v1/tasks/drills/{pk}/photos/{photo_id}":
                                                     "401  200  200  200  200  200  200  200  200  404  200  403  200",
    "POST /api/v1/tasks/drills/{pk}/actions":        "401  201  403  403  201  403  201  403  201  403  403  403  403",
    "POST /api/v1/tasks/drills/{pk}/actions/{action_id}/done":
                                                     "401  200  403  403  200  403  200  403  200  403  403  403  403",
    "GET /api/v1/tasks/meetings":                    "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/tasks/meetings":                   "401  201  403  403  201  403  201  403  201  403  403  403  403",
    "GET /api/v1/tasks/meetings/{pk}":               "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/tasks/meetings/{pk}/minutes":      "401  200  403  403  200  403  200  403  200  403  403  403  403",
    "POST /api/v1/tasks/meetings/{pk}/confirm":      "401  403  403  403  403  403  403  403  403  200  403  403  403",
    # --- end tasks
    # inspections (检查): read by the field posts, the supervisor, the centre and the leader (not a department or a
    # resident); inspected by 网格员, 网格长, 网格督导员, 监督员 (and the administrator); plans, targets and 门前三包
    # agreements made by the supervisor, the grid leader and the administrator
    "GET /api/v1/inspection/templates":              "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "GET /api/v1/inspection/plans":                  "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "POST /api/v1/inspection/plans":                 "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "POST /api/v1/inspection/plans/{plan_id}/targets": "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/inspection/due":                    "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "POST /api/v1/inspection/inspections":           "401  201  403  403  403  403  201  201  201  201  403  403  403",
    "POST /api/v1/inspection/inspections/form":      "401  201  403  403  403  403  201  201  201  201  403  403  403",
    "GET /api/v1/inspection/inspections":            "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "GET /api/v1/inspection/inspections/export":     "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "GET /api/v1/inspection/inspections/{inspection_id}": "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "GET /api/v1/inspection/inspections/{inspection_id} · elsewhere": "401  200  200  200  200  200  404  404  404  404  403  403  200",
    "GET /api/v1/inspection/revisits/due":           "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "POST /api/v1/inspection/revisits":              "401  201  403  403  403  403  201  201  201  201  403  403  403",
    "GET /api/v1/inspection/frontage/agreements":    "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "POST /api/v1/inspection/frontage/agreements":   "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/inspection/frontage/rates":         "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "GET /api/v1/basedata/due":                      "401  200  403  403  403  403  403  403  200  200  403  403  403",
    "GET /api/v1/basedata/stats":                    "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/basedata/ranking":                  "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/basedata/templates/{kind}":         "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/basedata/imports/{kind}":          "401  200  403  403  403  403  403  403  200  403  403  403  403",
    "GET /api/v1/basedata/import-jobs/{pk}":         "401  200  403  403  403  403  403  403  200  403  403  403  403",
    "GET /api/v1/basedata/exports/{kind}":           "401  200  403  403  403  403  403  403  200  403  403  403  403",
    "GET /api/v1/basedata/access-log":               "401  200  403  403  403  403  403  403  403  403  403  403  403",
    # patrol: the grid worker goes on duty (签到/签退/轨迹/请假); positions, plans and anomalies are for the supervisor
    # chain (the worker their own, the grid leader, the street's supervisor, the administrator) — not the leader or
    # the centre; leave is decided by the grid leader or the supervisor; the attendance table also by the leader
    "GET /api/v1/patrol/plans":                      "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "PUT /api/v1/patrol/plans/{grid_code}":          "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/patrol/checkin":                   "401  403  403  403  403  403  403  403  403  201  403  403  403",
    "POST /api/v1/patrol/checkout":                  "401  403  403  403  403  403  403  403  403  200  403  403  403",
    "POST /api/v1/patrol/track":                     "401  403  403  403  403  403  403  403  403  200  403  403  403",
    "POST /api/v1/patrol/track/columns":             "401  403  403  403  403  403  403  403  403  200  403  403  403",
    "GET /api/v1/patrol/shifts":                     "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/patrol/shifts/{shift_id}/track":    "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/patrol/shifts/{shift_id}/track · elsewhere":
                                                     "401  200  403  403  403  403  404  403  404  404  403  403  403",
    "GET /api/v1/patrol/coverage":                   "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/patrol/anomalies":                  "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/patrol/leaves":                    "401  403  403  403  403  403  403  403  403  201  403  403  403",
    "GET /api/v1/patrol/leaves":                     "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/patrol/leaves/{leave_id}/decide":  "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/patrol/attendance":                 "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/patrol/attendance/export":          "401  200  200  403  403  403  200  403  200  403  403  403  403",
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


def at_grid(state: str):
    """levels: a 邻里纠纷 (50001) reported by the grid worker — it enters at the grid; ``accepted``: 受理'd there."""
    def setup(ctx, users):
        from gridgov.cases import services

        r = services.intake(users["gridworker"], source="grid_worker", lon=ctx["lon"], lat=ctx["lat"],
                            description="楼上漏水引发邻里纠纷", matter="50001")
        if state == "accepted":
            services.transition(users["gridleader"], r.case.number, "receive")
        return {"number": r.case.number}
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


# --- duty (值班与应急): an urgent 暴露垃圾 with the 消防 plan started by hand, and a shift of the district centre

def duty_activation(ctx, users):
    from gridgov.duty import services as duty

    number = _case(users, ctx=ctx)
    return {"number": number, "activation": duty.start_manual(users["admin"], number, "fire").pk}


def duty_shift(ctx, users):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from gridgov.duty import services as duty

    start = dt.datetime(2026, 6, 1, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    shift = duty.save_shift(users["admin"], centre="110101", date=start.date(), starts_at=start,
                            ends_at=start + dt.timedelta(hours=24), members=[("dispatcher", "officer")])
    return {"shift": shift.pk}


DUTY_SHIFT = {"centre": "110101", "date": "2026-06-02", "starts_at": "2026-06-02T08:30:00+08:00",
              "ends_at": "2026-06-03T08:30:00+08:00", "members": [{"username": "intake", "duty_role": "officer"}]}
def grid_change(users, applied=False):
    """gridchange: a plan dividing 多福巷社区 between two people (applied when asked)."""
    from gridgov.geo import gridchanges

    change = gridchanges.plan(users["admin"], node=COMMUNITY, kind="workload", parts=2)
    if applied:
        gridchanges.apply(users["admin"], change.pk)
    return {"change": change.pk}


def worker_token(ctx, users):
    from gridgov.accounts import services

    token, _ = services.issue_token(users["gridworker"], users["gridworker"], "matrix")
    return {"token": token.pk}


# --- the city's block: a city centre's 派件 and a district's 督办通知书, prepared through the services


def city_dispatcher():
    from gridgov.accounts.models import User

    return User.objects.update_or_create(username="matrix-city-dispatcher",
                                         defaults={"role": "dispatcher", "node_key": "1101"})[0]


# --- tasks: objects the rows of 专项工作 need, made through the services -------------------------------------------


def _this_month():
    from django.utils import timezone

    return timezone.localdate().replace(day=1)


def tasks_campaign(ctx, users):
    """A campaign of 东城区 with two units (东华门街道 and 区环境卫生服务中心), reporting in the current month."""
    import datetime as dt

    from gridgov.tasks import services

    m = _this_month()
    c = services.create_campaign(users["admin"], {
        "name": "矩阵测试专项行动", "issuer": "110101", "start": m - dt.timedelta(days=40), "report_day": 27,
        "phases": [{"kind": "implement", "start": m - dt.timedelta(days=30), "end": m + dt.timedelta(days=60)}],
        "units": [{"unit": "110101001"}, {"unit": "110101-HW"}]})
    return {"campaign": c.pk, "month": f"{m:%Y-%m}"}


def city_registered(ctx, users):
    """A case the city centre filed (领导交办) in the grid worker's grid and registered, not yet sent."""
    import datetime as dt

    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.cases import services

    city_shift = User.objects.update_or_create(username="matrix-city-shift",
                                               defaults={"role": "shift_leader", "node_key": "1101"})[0]
    number = services.intake(city_shift, source="leader", lon=ctx["lon"], lat=ctx["lat"], description="市级交办",
                             matter="06010").case.number
    services.transition(city_shift, number, "register", {"matter": "06010"})
    return {"number": number, "due": (timezone.now() + dt.timedelta(days=5)).isoformat()}


def city_dispatched(signed: bool):
    def setup(ctx, users):
        import datetime as dt

        from django.utils import timezone

        from gridgov.cases import services as cases
        from gridgov.oversight import services

        out = city_registered(ctx, users)
        d = services.dispatch_to_district(city_dispatcher(), out["number"], "110101",
                                          timezone.now() + dt.timedelta(days=5))
        if signed:
            cases.transition(users["dispatcher"], out["number"], "accept")
        return {**out, "dispatch": d.pk}
    return setup


def street_notice(replied: bool):
    def setup(ctx, users):
        import datetime as dt

        from django.utils import timezone

        from gridgov.oversight import services

        n = services.issue_notice(users["shift"], title="督办", text="请整改", node="110101001",
                                  due_at=timezone.now() + dt.timedelta(days=5))
        if replied:
            services.reply_notice(users["supervisor"], n.pk, "已整改")
        return {"notice": n.pk}
    return setup


def contested(ctx, users):
    from gridgov.cases import services

    out = case_in("dispatched")(ctx, users)
    services.transition(users["handler"], out["number"], "contest", {"reason": "不属本部门"})
    return out


def tasks_task(ctx, users, feedback: bool = False, attachment: bool = False):
    """A task from 东华门街道 (the supervisor) to 多福巷社区 (the grid leader's community)."""
    import datetime as dt

    from django.utils import timezone

    from gridgov.tasks import services

    (t,) = services.assign(users["supervisor"], {"title": "矩阵测试任务", "units": [COMMUNITY],
                                                 "deadline": timezone.localdate() + dt.timedelta(days=7)})
    if feedback:
        services.give_feedback(users["gridleader"], t.pk, "已完成", ("现场.png", png()) if attachment else None)
    return {"task": t.pk}


def tasks_drill(ctx, users):
    import datetime as dt

    from django.utils import timezone

    from gridgov.tasks import services

    d = services.create_drill(users["gridleader"], {"kind": "fire", "title": "矩阵测试演练", "place": "社区广场",
                                                    "planned_on": timezone.localdate() - dt.timedelta(days=1)})
    (p,) = services.add_drill_photos(users["gridleader"], d.pk, [("演练.png", png())])
    a = services.add_drill_action(users["gridleader"], d.pk, "清理楼道堆物")
    return {"drill": d.pk, "photo": p.pk, "action": a.pk}


def tasks_meeting(ctx, users, sent: bool = False):
    from django.utils import timezone

    from gridgov.tasks import services

    m = services.create_meeting(users["gridleader"], {"title": "矩阵测试例会", "held_at": timezone.now(),
                                                      "members": ["gridworker"]})
    if sent:
        services.send_minutes(users["gridleader"], m.pk, "会议纪要")
    return {"meeting": m.pk}


def _days_ahead(n: int) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


TASKS_ROWS = {
    "GET /api/v1/tasks/campaigns": Row("get", f"{ROOT}/tasks/campaigns?limit=5"),
    "POST /api/v1/tasks/campaigns": Row("post", f"{ROOT}/tasks/campaigns", lambda c, p: {
        "name": "矩阵新建专项行动", "start": _days_ahead(0),
        "phases": [{"kind": "implement", "start": _days_ahead(0), "end": _days_ahead(60)}],
        "units": [{"unit": COMMUNITY}]}),
    "GET /api/v1/tasks/campaigns/{pk}": Row("get", f"{ROOT}/tasks/campaigns/{{campaign}}", setup=tasks_campaign),
    "POST /api/v1/tasks/campaigns/{pk}/reports": Row(
        "post", f"{ROOT}/tasks/campaigns/{{campaign}}/reports",
        lambda c, p: {"unit": "110101001", "period": c["month"], "text": "本月排查 12 条背街小巷", "figures": {"排查": 12}},
        setup=tasks_campaign),
    "GET /api/v1/tasks/campaigns/{pk}/export": Row("get", f"{ROOT}/tasks/campaigns/{{campaign}}/export?format=xlsx",
                                                   setup=tasks_campaign),
    "GET /api/v1/tasks/tasks": Row("get", f"{ROOT}/tasks/tasks?limit=5"),
    "POST /api/v1/tasks/tasks": Row("post", f"{ROOT}/tasks/tasks", lambda c, p: {
        "title": "矩阵派发任务", "deadline": _days_ahead(7), "units": [COMMUNITY]}),
    "GET /api/v1/tasks/tasks/{pk}": Row("get", f"{ROOT}/tasks/tasks/{{task}}", setup=tasks_task),
    "POST /api/v1/tasks/tasks/{pk}/feedback": Row("post", f"{ROOT}/tasks/tasks/{{task}}/feedback",
                                                  {"text": "已核查完毕"}, kind="multipart", setup=tasks_task),
    "POST /api/v1/tasks/tasks/{pk}/decision": Row("post", f"{ROOT}/tasks/tasks/{{task}}/decision", {"accept": True},
                                                  setup=lambda c, u: tasks_task(c, u, feedback=True)),
    "GET /api/v1/tasks/tasks/{pk}/attachment": Row("get", f"{ROOT}/tasks/tasks/{{task}}/attachment",
                                                   setup=lambda c, u: tasks_task(c, u, feedback=True, attachment=True)),
    "GET /api/v1/tasks/todo": Row("get", f"{ROOT}/tasks/todo"),
    "GET /api/v1/tasks/drills": Row("get", f"{ROOT}/tasks/drills?limit=5"),
    "POST /api/v1/tasks/drills": Row("post", f"{ROOT}/tasks/drills", lambda c, p: {
        "kind": "fire", "title": "矩阵消防演练", "planned_on": _days_ahead(10), "place": "社区广场"}),
    "GET /api/v1/tasks/drills/{pk}": Row("get", f"{ROOT}/tasks/drills/{{drill}}", setup=tasks_drill),
    "PATCH /api/v1/tasks/drills/{pk}": Row("patch", f"{ROOT}/tasks/drills/{{drill}}", {"findings": "楼道堆物"},
                                           setup=tasks_drill),
    "POST /api/v1/tasks/drills/{pk}/photos": Row("post", f"{ROOT}/tasks/drills/{{drill}}/photos", {},
                                                 kind="multipart", setup=tasks_drill, extra={"photos": "png"}),
    "GET /api/v1/tasks/drills/{pk}/photos/{photo_id}": Row("get", f"{ROOT}/tasks/drills/{{drill}}/photos/{{photo}}",
                                                           setup=tasks_drill),
    "POST /api/v1/tasks/drills/{pk}/actions": Row("post", f"{ROOT}/tasks/drills/{{drill}}/actions",
                                                  {"action": "开展灭火器培训", "responsible": "社区居委会"},
                                                  setup=tasks_drill),
    "POST /api/v1/tasks/drills/{pk}/actions/{action_id}/done": Row(
        "post", f"{ROOT}/tasks/drills/{{drill}}/actions/{{action}}/done", {}, setup=tasks_drill),
    "GET /api/v1/tasks/meetings": Row("get", f"{ROOT}/tasks/meetings?limit=5"),
    "POST /api/v1/tasks/meetings": Row("post", f"{ROOT}/tasks/meetings", {
        "title": "矩阵例会", "held_at": "2026-11-20T15:00:00+08:00", "members": ["gridworker"]}),
    "GET /api/v1/tasks/meetings/{pk}": Row("get", f"{ROOT}/tasks/meetings/{{meeting}}", setup=tasks_meeting),
    "POST /api/v1/tasks/meetings/{pk}/minutes": Row("post", f"{ROOT}/tasks/meetings/{{meeting}}/minutes",
                                                    {"minutes": "部署下周重点工作"}, setup=tasks_meeting),
    "POST /api/v1/tasks/meetings/{pk}/confirm": Row("post", f"{ROOT}/tasks/meetings/{{meeting}}/confirm",
                                                    setup=lambda c, u: tasks_meeting(c, u, sent=True)),
}
# --- end tasks
# --- inspection (检查)

FIRE_ITEMS = ("F01", "F02", "F03", "F04", "F05", "F06")


def _orgs(grid: str, n: int) -> list[int]:
    from gridgov.basedata.models import Organisation

    return list(Organisation.objects.filter(scope_key__startswith=grid + ".", lon__isnull=False).order_by("id")
                .values_list("pk", flat=True)[:n])


def fire_plan_in(grid: str):
    def setup(ctx, users):
        from gridgov.inspection import services

        plan = services.create_plan(users["admin"], name="矩阵消防检查", template="fire", frequency="monthly",
                                    start_on=dt.date(2026, 11, 1), node=grid[:12],
                                    targets=[("organisation", _orgs(grid, 1)[0])])
        return {"plan": plan.pk, "target": plan.targets.get().pk, "org2": _orgs(OWN_GRID, 2)[-1]}
    return setup


def inspection_in(grid: str):
    def setup(ctx, users):
        from gridgov.inspection import services

        out = fire_plan_in(grid)(ctx, users)
        r = services.submit(users["admin"], target_id=out["target"], client_key=f"matrix-{grid}",
                            answers=[{"item": c, "answer": "pass"} for c in FIRE_ITEMS])
        return {**out, "inspection": r.inspection.pk}
    return setup


def inspection_body(ctx, post):
    return {"target": ctx["target"], "client_key": f"matrix-{post}",
            "answers": [{"item": c, "answer": "pass"} for c in FIRE_ITEMS]}


def inspection_form(ctx, post):
    return {"target": ctx["target"], "client_key": f"matrix-form-{post}", "photo_items": "F01",
            "answers": json.dumps([{"item": c, "answer": "pass"} for c in FIRE_ITEMS])}
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


def track_columns(ctx, post):
    from django.utils import timezone

    return {"shift_id": ctx["shift"], "seq": [1], "t": [int(timezone.now().timestamp() * 1000)], "lon": [ctx["lon"]],
            "lat": [ctx["lat"]], "accuracy": [10]}


def asked_leave(ctx, users):
    import datetime as dt

    from gridgov.patrol import services

    return {"leave": services.request_leave(users["gridworker"], dt.date(2026, 11, 20), dt.date(2026, 11, 20),
                                            "家中有事").pk}


ROWS = {
    "GET /api/v1/oversight/dispatches": Row("get", f"{ROOT}/oversight/dispatches"),
    "POST /api/v1/oversight/dispatches": Row("post", f"{ROOT}/oversight/dispatches", lambda c, p: {
        "case": c["number"], "district": "110101", "due_at": c["due"]}, setup=city_registered),
    "GET /api/v1/oversight/dispatches/{pk}": Row("get", f"{ROOT}/oversight/dispatches/{{dispatch}}",
                                                 setup=city_dispatched(False)),
    "POST /api/v1/oversight/dispatches/{pk}/answer": Row("post", f"{ROOT}/oversight/dispatches/{{dispatch}}/answer",
                                                         {"text": "已办结"}, setup=city_dispatched(True)),
    "GET /api/v1/oversight/notices": Row("get", f"{ROOT}/oversight/notices"),
    "POST /api/v1/oversight/notices": Row("post", f"{ROOT}/oversight/notices", lambda c, p: {
        "title": "督办", "text": "请整改", "node": "110101001", "due_at": "2099-01-01T18:00:00+08:00"}),
    "GET /api/v1/oversight/notices/{pk}": Row("get", f"{ROOT}/oversight/notices/{{notice}}",
                                              setup=street_notice(False)),
    "POST /api/v1/oversight/notices/{pk}/replies": Row("post", f"{ROOT}/oversight/notices/{{notice}}/replies",
                                                       {"text": "已整改"}, setup=street_notice(False)),
    "POST /api/v1/oversight/notices/{pk}/review": Row("post", f"{ROOT}/oversight/notices/{{notice}}/review",
                                                      {"accept": True}, setup=street_notice(True)),
    "GET /api/v1/oversight/disputes": Row("get", f"{ROOT}/oversight/disputes"),
    "GET /api/v1/oversight/overview": Row("get", f"{ROOT}/oversight/overview"),
    "POST /api/v1/cases/{number}/actions/{action} · contest": act("contest", case_in("dispatched"),
                                                                 reason="不属本部门职责"),
    "POST /api/v1/cases/{number}/actions/{action} · rule_reject": act("rule_reject", contested,
                                                                     reason="属本部门职责，请签收"),
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
    # gridchange
    "GET /api/v1/grid-changes": Row("get", f"{ROOT}/grid-changes", setup=lambda ctx, users: grid_change(users)),
    "POST /api/v1/grid-changes": Row("post", f"{ROOT}/grid-changes", {"node": COMMUNITY, "kind": "workload",
                                                                       "parts": 2}),
    "GET /api/v1/grid-changes/{change_id}": Row("get", f"{ROOT}/grid-changes/{{change}}",
                                                setup=lambda ctx, users: grid_change(users)),
    "POST /api/v1/grid-changes/{change_id}/apply": Row("post", f"{ROOT}/grid-changes/{{change}}/apply",
                                                       setup=lambda ctx, users: grid_change(users)),
    "GET /api/v1/grid-changes/{change_id}/grid-mapping": Row(
        "get", f"{ROOT}/grid-changes/{{change}}/grid-mapping", setup=lambda ctx, users: grid_change(users, True)),
    "GET /api/v1/grid-changes/{change_id}/case-mapping": Row(
        "get", f"{ROOT}/grid-changes/{{change}}/case-mapping", setup=lambda ctx, users: grid_change(users, True)),
    "GET /api/v1/grid-changes/{change_id}/map": Row("get", f"{ROOT}/grid-changes/{{change}}/map",
                                                    setup=lambda ctx, users: grid_change(users)),
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
    "POST /api/v1/cases/{number}/actions/{action} · receive": act("receive", at_grid("reported")),
    "POST /api/v1/cases/{number}/actions/{action} · escalate": act("escalate", at_grid("accepted"), reason="需社区协调"),
    "GET /api/v1/cases/levels/settled": Row("get", f"{ROOT}/cases/levels/settled?date_from=2026-11-01&date_to=2026-11-30"),
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
    "GET /api/v1/duty/plans": Row("get", f"{ROOT}/duty/plans"),
    "GET /api/v1/duty/activations": Row("get", f"{ROOT}/duty/activations?limit=5"),
    "GET /api/v1/duty/activations/{pk}": Row("get", f"{ROOT}/duty/activations/{{activation}}", setup=duty_activation),
    "POST /api/v1/duty/activations": Row("post", f"{ROOT}/duty/activations", lambda c, p: {
        "case": c["number"], "plan": "fire"}, setup=case_in("reported")),
    "POST /api/v1/duty/activations/{pk}/steps/{order}/tick": Row(
        "post", f"{ROOT}/duty/activations/{{activation}}/steps/1/tick", {"note": "已通知"}, setup=duty_activation),
    "GET /api/v1/duty/roster": Row("get", f"{ROOT}/duty/roster?year=2026&month=6&centre=110101"),
    "POST /api/v1/duty/shifts": Row("post", f"{ROOT}/duty/shifts", DUTY_SHIFT),
    "PUT /api/v1/duty/shifts/{pk}": Row("put", f"{ROOT}/duty/shifts/{{shift}}", DUTY_SHIFT, setup=duty_shift),
    "DELETE /api/v1/duty/shifts/{pk}": Row("delete", f"{ROOT}/duty/shifts/{{shift}}", setup=duty_shift),
    "GET /api/v1/duty/now": Row("get", f"{ROOT}/duty/now?centre=110101"),
    "POST /api/v1/duty/handovers": Row("post", f"{ROOT}/duty/handovers", {"text": "夜间平稳", "centre": "110101"}),
    "GET /api/v1/duty/reports/{day}": Row("get", f"{ROOT}/duty/reports/2026-06-01?centre=110101"),
    "GET /api/v1/duty/reports/{day}/export": Row("get", f"{ROOT}/duty/reports/2026-06-01/export?centre=110101"),
    "GET /api/v1/duty/clearance": Row("get", f"{ROOT}/duty/clearance?day=2026-06-01&centre=110101"),
    # inspection
    "GET /api/v1/inspection/templates": Row("get", f"{ROOT}/inspection/templates"),
    "GET /api/v1/inspection/plans": Row("get", f"{ROOT}/inspection/plans?limit=5"),
    "POST /api/v1/inspection/plans": Row("post", f"{ROOT}/inspection/plans", lambda c, p: {
        "name": "矩阵计划", "template": "fire", "frequency": "monthly", "start_on": "2026-11-01",
        "targets": [{"kind": "organisation", "ref": str(c["org"])}]}),
    "POST /api/v1/inspection/plans/{plan_id}/targets": Row(
        "post", f"{ROOT}/inspection/plans/{{plan}}/targets", lambda c, p: {"kind": "organisation", "ref": str(c["org2"])},
        setup=fire_plan_in(OWN_GRID)),
    "GET /api/v1/inspection/due": Row("get", f"{ROOT}/inspection/due?mine=false&date=2026-11-20"),
    "POST /api/v1/inspection/inspections": Row("post", f"{ROOT}/inspection/inspections", inspection_body,
                                               setup=fire_plan_in(OWN_GRID)),
    "POST /api/v1/inspection/inspections/form": Row("post", f"{ROOT}/inspection/inspections/form", inspection_form,
                                                    kind="multipart", setup=fire_plan_in(OWN_GRID),
                                                    extra={"photos": "png"}),
    "GET /api/v1/inspection/inspections": Row("get", f"{ROOT}/inspection/inspections?limit=5"),
    "GET /api/v1/inspection/inspections/export": Row("get", f"{ROOT}/inspection/inspections/export?format=csv"),
    "GET /api/v1/inspection/inspections/{inspection_id}": Row("get", f"{ROOT}/inspection/inspections/{{inspection}}",
                                                              setup=inspection_in(OWN_GRID)),
    "GET /api/v1/inspection/inspections/{inspection_id} · elsewhere": Row(
        "get", f"{ROOT}/inspection/inspections/{{inspection}}", setup=inspection_in(OTHER_STREET_GRID)),
    "GET /api/v1/inspection/revisits/due": Row("get", f"{ROOT}/inspection/revisits/due?month=2026-11"),
    "POST /api/v1/inspection/revisits": Row("post", f"{ROOT}/inspection/revisits", lambda c, p: {
        "case": c["number"], "recurred": False, "client_key": f"matrix-rv-{p}"}, setup=case_in("closed")),
    "GET /api/v1/inspection/frontage/agreements": Row("get", f"{ROOT}/inspection/frontage/agreements?limit=5"),
    "POST /api/v1/inspection/frontage/agreements": Row("post", f"{ROOT}/inspection/frontage/agreements", lambda c, p: {
        "organisation": c["org"], "frontage": "门前至路缘石", "signed_on": "2026-11-15"}),
    "GET /api/v1/inspection/frontage/rates": Row("get", f"{ROOT}/inspection/frontage/rates?date_from=2026-11-01"
                                                        "&date_to=2026-11-30"),
    # patrol
    "GET /api/v1/patrol/plans": Row("get", f"{ROOT}/patrol/plans"),
    "PUT /api/v1/patrol/plans/{grid_code}": Row("put", f"{ROOT}/patrol/plans/{OWN_GRID}", {"per_week": 4}),
    "POST /api/v1/patrol/checkin": Row("post", f"{ROOT}/patrol/checkin", lambda c, p: {"lon": c["lon"], "lat": c["lat"]}),
    "POST /api/v1/patrol/checkout": Row("post", f"{ROOT}/patrol/checkout",
                                        lambda c, p: {"lon": c["lon"], "lat": c["lat"]}, setup=on_duty),
    "POST /api/v1/patrol/track": Row("post", f"{ROOT}/patrol/track", track_batch, setup=on_duty),
    "POST /api/v1/patrol/track/columns": Row("post", f"{ROOT}/patrol/track/columns", track_columns, setup=on_duty),
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
ROWS.update(TASKS_ROWS)  # tasks


# ---- matters: the open catalog and the governance records (调解, 信访) ----
# The catalog is configured by the administrator only. 调解台账 / 信访登记簿 are read by the community (网格长, 网格员),
# the street's 督导员, the shift leader, the leader and the administrator, and recorded by the grid staff, the 督导员
# and the administrator; 信访 is a restricted class: the 网格员 (no cases.restricted) gets 404 on a petition's case.
EXPECTED.update({
    "POST /api/v1/catalog/items":                    "401  201  403  403  403  403  403  403  403  403  403  403  403",
    "PATCH /api/v1/catalog/items/{kind}/{code}":     "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/governance/mediations":             "401  200  200  403  200  403  200  403  200  200  403  403  403",
    "GET /api/v1/governance/cases/{number}/mediation": "401  200  200  403  200  403  200  403  200  200  403  403  403",
    "POST /api/v1/governance/cases/{number}/mediation": "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "POST /api/v1/governance/cases/{number}/mediation/parties":
                                                     "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "POST /api/v1/governance/cases/{number}/mediation/sessions":
                                                     "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "POST /api/v1/governance/cases/{number}/mediation/outcome":
                                                     "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "POST /api/v1/governance/cases/{number}/mediation/visit":
                                                     "401  200  403  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/governance/petitions":              "401  200  200  403  200  403  200  403  200  200  403  403  403",
    "GET /api/v1/governance/cases/{number}/petition": "401  200  200  403  200  403  200  403  200  404  403  403  403",
    "POST /api/v1/governance/cases/{number}/petition": "401  201  403  403  403  403  201  403  201  404  403  403  403",
    "POST /api/v1/governance/cases/{number}/petition/decision":
                                                     "401  200  403  403  403  403  200  403  200  404  403  403  403",
    "POST /api/v1/governance/cases/{number}/petition/extension":
                                                     "401  200  403  403  403  403  200  403  200  404  403  403  403",
    "POST /api/v1/governance/cases/{number}/petition/reply":
                                                     "401  200  403  403  403  403  200  403  200  404  403  403  403",
    "POST /api/v1/governance/cases/{number}/petition/review":
                                                     "401  200  403  403  403  403  200  403  200  404  403  403  403",
})


def governance_case(matter: str, reporter: str = "gridleader"):
    def setup(ctx, users):
        from gridgov.cases import services

        r = services.intake(users[reporter], source="grid_worker", lon=ctx["lon"], lat=ctx["lat"],
                            description="邻里因噪音发生争吵" if matter.startswith("50") else "来信反映施工扰民",
                            matter=matter)
        return {"number": r.case.number}
    return setup


def mediation_in(state: str):
    def setup(ctx, users):
        from gridgov.governance import services

        out = governance_case("50001")(ctx, users)
        n, leader = out["number"], users["gridleader"]
        services.open_mediation(leader, n, "噪音纠纷", None, [{"name": "王甲", "phone": "13900002001"},
                                                          {"name": "李乙", "phone": "13900002002"}])
        if state in ("mediating", "agreed"):
            services.add_session(leader, n, {"place": "社区调解室", "mediator": "赵调解员"})
        if state == "agreed":
            services.record_outcome(leader, n, "agreed", "双方和解")
        return out
    return setup


def petition_in(state: str):
    def setup(ctx, users):
        from gridgov.governance import services

        out = governance_case("51001")(ctx, users)
        n, leader = out["number"], users["gridleader"]
        services.register_petition(leader, n, "letter", "施工扰民", None, [{"name": "刘丙", "phone": "13900002003"}])
        if state in ("accepted", "replied"):
            services.decide_petition(leader, n, "accepted")
        if state == "replied":
            services.reply_petition(leader, n, "已协调施工单位调整作业时间")
        return out
    return setup


GOV = f"{ROOT}/governance/cases/{{number}}"
ROWS.update({
    "POST /api/v1/catalog/items": Row("post", f"{ROOT}/catalog/items", {
        "code": "56001", "name": "矩阵测试事项", "major_name": "矩阵测试类",
        "deadlines": [{"stage": "handle", "amount": 3, "unit": "work_days"}]}),
    "PATCH /api/v1/catalog/items/{kind}/{code}": Row("patch", f"{ROOT}/catalog/items/matter/50001",
                                                     {"default_department": "社区人民调解委员会"}),
    "GET /api/v1/governance/mediations": Row("get", f"{ROOT}/governance/mediations", setup=mediation_in("accepted")),
    "GET /api/v1/governance/cases/{number}/mediation": Row("get", f"{GOV}/mediation", setup=mediation_in("accepted")),
    "POST /api/v1/governance/cases/{number}/mediation": Row("post", f"{GOV}/mediation", {
        "summary": "噪音纠纷", "parties": [{"name": "王甲", "phone": "13900002001"}, {"name": "李乙"}]},
        setup=governance_case("50001")),
    "POST /api/v1/governance/cases/{number}/mediation/parties": Row(
        "post", f"{GOV}/mediation/parties", {"name": "张丙", "role": "第三人"}, setup=mediation_in("accepted")),
    "POST /api/v1/governance/cases/{number}/mediation/sessions": Row(
        "post", f"{GOV}/mediation/sessions", {"place": "社区调解室", "mediator": "赵调解员", "notes": "听取陈述"},
        setup=mediation_in("accepted")),
    "POST /api/v1/governance/cases/{number}/mediation/outcome": Row(
        "post", f"{GOV}/mediation/outcome", {"outcome": "agreed", "text": "双方和解"}, setup=mediation_in("mediating")),
    "POST /api/v1/governance/cases/{number}/mediation/visit": Row(
        "post", f"{GOV}/mediation/visit", {"result": "已履行", "satisfied": True}, setup=mediation_in("agreed")),
    "GET /api/v1/governance/petitions": Row("get", f"{ROOT}/governance/petitions", setup=petition_in("registered")),
    "GET /api/v1/governance/cases/{number}/petition": Row("get", f"{GOV}/petition", setup=petition_in("registered")),
    "POST /api/v1/governance/cases/{number}/petition": Row("post", f"{GOV}/petition", {
        "form": "letter", "subject": "施工扰民", "petitioners": [{"name": "刘丙", "phone": "13900002003"}]},
        setup=governance_case("51001")),
    "POST /api/v1/governance/cases/{number}/petition/decision": Row(
        "post", f"{GOV}/petition/decision", {"decision": "accepted"}, setup=petition_in("registered")),
    "POST /api/v1/governance/cases/{number}/petition/extension": Row(
        "post", f"{GOV}/petition/extension", {"days": 30, "reason": "情况复杂"}, setup=petition_in("accepted")),
    "POST /api/v1/governance/cases/{number}/petition/reply": Row(
        "post", f"{GOV}/petition/reply", {"text": "已答复"}, setup=petition_in("accepted")),
    "POST /api/v1/governance/cases/{number}/petition/review": Row(
        "post", f"{GOV}/petition/review", {"step": "request", "text": "对答复不服"}, setup=petition_in("replied")),
})
# ---- end matters ----

# ---- assess: 考评 (schemes, runs, judgements, evidence, appeals, the year) ----
# read by the assessed units (a street's 督导员, a department's handler) and the centre, the leader, the administrator;
# schemes and runs are the administrator's; judgements and rulings the centre's 值班长 and the administrator; evidence
# and appeals a street's 督导员 (a department is not a unit of 003 篇7's street scheme: 409 not_assessed_unit); a unit
# sees a month only once it is published (404 before)
ASSESS = "/api/v1/assess"
EXPECTED.update({
    "GET /api/v1/assess/schemes":                    "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/assess/schemes/{pk}":               "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "POST /api/v1/assess/schemes/{pk}/copy":         "401  201  403  403  403  403  403  403  403  403  403  403  403",
    "PATCH /api/v1/assess/schemes/{pk}":             "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/assess/schemes/{pk}/activate":     "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/assess/score":                     "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/assess/runs":                       "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "POST /api/v1/assess/runs":                      "401  201  403  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/assess/runs/{pk}":                  "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/assess/runs/{pk} · unpublished":    "401  200  200  403  200  403  404  403  403  403  404  403  403",
    "POST /api/v1/assess/runs/{pk}/publish":         "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/assess/runs/{pk}/export":           "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/assess/judgements":                 "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "POST /api/v1/assess/judgements":                "401  201  403  403  201  403  403  403  403  403  403  403  403",
    "GET /api/v1/assess/evidence":                   "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "POST /api/v1/assess/evidence":                  "401  403  403  403  403  403  201  403  403  403  409  403  403",
    "GET /api/v1/assess/appeals":                    "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "POST /api/v1/assess/appeals":                   "401  403  403  403  403  403  201  403  403  403  409  403  403",
    "POST /api/v1/assess/appeals/{pk}/rule":         "401  200  403  403  200  403  403  403  403  403  403  403  403",
    "GET /api/v1/assess/annual":                     "401  200  200  403  200  403  200  403  403  403  200  403  403",
    # a street's files: the street itself and the centre, the leader, the administrator (not another unit)
    "GET /api/v1/assess/evidence/{pk}/files/{n}":    "401  200  200  403  200  403  200  403  403  403  404  403  403",
    "GET /api/v1/assess/appeals/{pk}/files/{n}":     "401  200  200  403  200  403  200  403  403  403  404  403  403",
})


def _assess_doc() -> dict:
    from importlib import resources

    return json.loads(resources.files("gridgov.assess").joinpath("data/example_facts_2026-11.json")
                      .read_text("utf-8"))


def assess_scheme(ctx, users):
    from gridgov.assess import services

    return {"scheme": services.shipped_scheme().pk}


def assess_copy(ctx, users):
    from gridgov.assess import services

    return {"scheme": services.copy_scheme(users["admin"], services.shipped_scheme().pk, "矩阵副本").pk}


class _Upload(io.BytesIO):
    name = "制度.pdf"


def assess_evidence_file(ctx, users):
    from gridgov.assess import services

    return {"evidence": services.submit_evidence(users["supervisor"], "2026-11", "management", "考核制度",
                                                 [_Upload(b"%PDF-1.4 matrix")]).pk}


def assess_appeal_file(ctx, users):
    from gridgov.assess import services

    run = services.publish(users["admin"], services.run_document(users["admin"], _assess_doc()).pk)
    return {"appeal": services.file_appeal(users["supervisor"], run.pk, "management", "已出台奖惩措施",
                                           [_Upload(b"%PDF-1.4 matrix")]).pk}


def assess_run(published: bool, appeal: bool = False):
    def setup(ctx, users):
        from gridgov.assess import services

        run = services.run_document(users["admin"], _assess_doc())
        if published:
            services.publish(users["admin"], run.pk)
        out = {"run": run.pk}
        if appeal:
            out["appeal"] = services.file_appeal(users["supervisor"], run.pk, "training", "培训次数漏计").pk
        return out

    return setup


ROWS.update({
    "GET /api/v1/assess/schemes": Row("get", f"{ASSESS}/schemes"),
    "GET /api/v1/assess/schemes/{pk}": Row("get", f"{ASSESS}/schemes/{{scheme}}", setup=assess_scheme),
    "POST /api/v1/assess/schemes/{pk}/copy": Row("post", f"{ASSESS}/schemes/{{scheme}}/copy", {"name": "副本"},
                                                 setup=assess_scheme),
    "PATCH /api/v1/assess/schemes/{pk}": Row("patch", f"{ASSESS}/schemes/{{scheme}}", {"name": "东城区方案"},
                                             setup=assess_copy),
    "POST /api/v1/assess/schemes/{pk}/activate": Row("post", f"{ASSESS}/schemes/{{scheme}}/activate",
                                                     setup=assess_copy),
    "POST /api/v1/assess/score": Row("post", f"{ASSESS}/score", lambda c, p: _assess_doc()),
    "GET /api/v1/assess/runs": Row("get", f"{ASSESS}/runs"),
    "POST /api/v1/assess/runs": Row("post", f"{ASSESS}/runs", lambda c, p: {"facts": _assess_doc()}),
    "GET /api/v1/assess/runs/{pk}": Row("get", f"{ASSESS}/runs/{{run}}", setup=assess_run(True)),
    "GET /api/v1/assess/runs/{pk} · unpublished": Row("get", f"{ASSESS}/runs/{{run}}", setup=assess_run(False)),
    "POST /api/v1/assess/runs/{pk}/publish": Row("post", f"{ASSESS}/runs/{{run}}/publish", setup=assess_run(False)),
    "GET /api/v1/assess/runs/{pk}/export": Row("get", f"{ASSESS}/runs/{{run}}/export", setup=assess_run(True)),
    "GET /api/v1/assess/judgements": Row("get", f"{ASSESS}/judgements"),
    "POST /api/v1/assess/judgements": Row("post", f"{ASSESS}/judgements", {
        "period": "2026-11", "unit": "110101001", "item": "subcentre", "tier": 1, "remark": "分中心与接诉即办联动"}),
    "GET /api/v1/assess/evidence": Row("get", f"{ASSESS}/evidence"),
    "POST /api/v1/assess/evidence": Row("post", f"{ASSESS}/evidence", {
        "period": "2026-11", "item": "big_data", "text": "大数据分析报告"}, kind="multipart"),
    "GET /api/v1/assess/appeals": Row("get", f"{ASSESS}/appeals"),
    "POST /api/v1/assess/appeals": Row("post", f"{ASSESS}/appeals", lambda c, p: {
        "run": c["run"], "item": "training", "reason": "培训次数漏计"}, kind="multipart", setup=assess_run(True)),
    "POST /api/v1/assess/appeals/{pk}/rule": Row("post", f"{ASSESS}/appeals/{{appeal}}/rule", {
        "upheld": False, "ruling": "台账中无该次培训记录"}, setup=assess_run(True, appeal=True)),
    "GET /api/v1/assess/annual": Row("get", f"{ASSESS}/annual?year=2026"),
    "GET /api/v1/assess/evidence/{pk}/files/{n}": Row("get", f"{ASSESS}/evidence/{{evidence}}/files/1",
                                                      setup=assess_evidence_file),
    "GET /api/v1/assess/appeals/{pk}/files/{n}": Row("get", f"{ASSESS}/appeals/{{appeal}}/files/1",
                                                     setup=assess_appeal_file),
})
# ---- end assess ----
# ---- ledgers (考评台账): read by assess.view (admin, leader, shift leader, the street's 督导员, a department) within
# scope; written by the centre (assess.review: admin, shift leader); trainings submitted by the street's 督导员 too
# (assess.submit — not a department, which has no street) and confirmed by the centre
_LV = "401  200  200  403  200  403  200  403  403  403  200  403  403"  # assess.view
_LR = "401  {0}  403  403  {0}  403  403  403  403  403  403  403  403"  # assess.review
EXPECTED.update({
    "GET /api/v1/ledgers/summary": _LV,
    "GET /api/v1/ledgers/facts": _LV,
    "GET /api/v1/ledgers/quota": _LV,
    "GET /api/v1/ledgers/quota/export": _LV,
    "PUT /api/v1/ledgers/quota/total": _LR.format(200),
    "PUT /api/v1/ledgers/quota/bases/{street_code}": _LR.format(200),
    "POST /api/v1/ledgers/quota/adjustments": _LR.format(201),
    "GET /api/v1/ledgers/problems": _LV,
    "POST /api/v1/ledgers/problems": _LR.format(201),
    "POST /api/v1/ledgers/problems/{problem_id}/review": _LR.format(200),
    "POST /api/v1/ledgers/problems/import": _LR.format(200),
    "POST /api/v1/ledgers/problems/import · city": _LR.format(200),
    "GET /api/v1/ledgers/samples": _LV,
    "POST /api/v1/ledgers/samples": _LR.format(201),
    "POST /api/v1/ledgers/samples/cases/{sampled_id}/mark": _LR.format(200),
    "GET /api/v1/ledgers/trainings": _LV,
    "POST /api/v1/ledgers/trainings":                "401  201  403  403  201  403  201  403  403  403  403  403  403",
    "POST /api/v1/ledgers/trainings/{training_id}/review": _LR.format(200),
    "GET /api/v1/ledgers/outages": _LV,
    "POST /api/v1/ledgers/outages": _LR.format(201),
    "GET /api/v1/ledgers/publicity": _LV,
    "POST /api/v1/ledgers/publicity": _LR.format(201),
})


def ledger_problem(ctx, users):
    from gridgov.ledgers import services

    p = services.record_problem(users["shift"], "public", dt.datetime.fromisoformat("2026-11-20T10:00:00+08:00"),
                                ctx["lon"], ctx["lat"], "群众举报：路边垃圾")
    return {"problem": p.pk}


def ledger_sample(ctx, users):
    """A case reported and closed in May 2025 in 东华门街道, and that month's sample (it alone)."""
    import time_machine

    from gridgov.cases.services import intake
    from gridgov.ledgers import services
    from tests.loop import close_loop

    with time_machine.travel(dt.datetime.fromisoformat("2025-05-12T10:00:00+08:00"), tick=False):
        n = intake(users["gridworker"], source="grid_worker", lon=ctx["lon"], lat=ctx["lat"], description="垃圾",
                   matter="06010", find_duplicates=False).case.number
        close_loop(users, n)
    d = services.draw_sample(users["shift"], "2025-05", "110101001")
    return {"sampled": d.cases.get().pk}


def ledger_training(ctx, users):
    from gridgov.ledgers import services

    t = services.submit_training(users["supervisor"], dt.date(2026, 11, 5), "业务培训", "whole", 12)
    return {"training": t.pk}


L = f"{ROOT}/ledgers"
ROWS.update({
    "GET /api/v1/ledgers/summary": Row("get", f"{L}/summary?period=2026-11"),
    "GET /api/v1/ledgers/facts": Row("get", f"{L}/facts?period=2026-11"),
    "GET /api/v1/ledgers/quota": Row("get", f"{L}/quota?year=2026"),
    "GET /api/v1/ledgers/quota/export": Row("get", f"{L}/quota/export?year=2026&format=csv"),
    "PUT /api/v1/ledgers/quota/total": Row("put", f"{L}/quota/total", {"district": "110101", "year": 2026,
                                                                      "annual_cases": 61000}),
    "PUT /api/v1/ledgers/quota/bases/{street_code}": Row("put", f"{L}/quota/bases/110101001", {
        "year": 2026, "population": 52100, "area_km2": 4.0, "population_source": "2020年上报"}),
    "POST /api/v1/ledgers/quota/adjustments": Row("post", f"{L}/quota/adjustments", {
        "street": "110101001", "year": 2026, "amount": 50, "reason": "商圈人流量大"}),
    "GET /api/v1/ledgers/problems": Row("get", f"{L}/problems?period=2026-11"),
    "POST /api/v1/ledgers/problems": Row("post", f"{L}/problems", lambda c, p: {
        "kind": "media", "found_at": "2026-11-20T10:00:00+08:00", "lon": c["lon"], "lat": c["lat"],
        "description": "媒体曝光：路边垃圾", "matter": "06010"}),
    "POST /api/v1/ledgers/problems/{problem_id}/review": Row("post", f"{L}/problems/{{problem}}/review",
                                                             {"verdict": "missed"}, setup=ledger_problem),
    "POST /api/v1/ledgers/problems/import": Row("post", f"{L}/problems/import", {"period": "2026-11"}),
    "POST /api/v1/ledgers/problems/import · city": Row("post", f"{L}/problems/import",
                                                       {"period": "2026-11", "source": "city_dispatch"}),
    "GET /api/v1/ledgers/samples": Row("get", f"{L}/samples"),
    "POST /api/v1/ledgers/samples": Row("post", f"{L}/samples", {"period": "2026-10", "street": "110101002"}),
    "POST /api/v1/ledgers/samples/cases/{sampled_id}/mark": Row("post", f"{L}/samples/cases/{{sampled}}/mark",
                                                                {"mark": "passed"}, setup=ledger_sample),
    "GET /api/v1/ledgers/trainings": Row("get", f"{L}/trainings?year=2026"),
    "POST /api/v1/ledgers/trainings": Row("post", f"{L}/trainings", {
        "street": "110101001", "held_on": "2026-11-05", "title": "网格员业务培训", "kind": "whole", "attendees": 15}),
    "POST /api/v1/ledgers/trainings/{training_id}/review": Row("post", f"{L}/trainings/{{training}}/review",
                                                               {"accept": True}, setup=ledger_training),
    "GET /api/v1/ledgers/outages": Row("get", f"{L}/outages?year=2026"),
    "POST /api/v1/ledgers/outages": Row("post", f"{L}/outages", {
        "street": "110101001", "kind": "fault", "start": "2026-11-01T08:00:00+08:00",
        "end": "2026-11-01T20:00:00+08:00"}),
    "GET /api/v1/ledgers/publicity": Row("get", f"{L}/publicity?year=2026"),
    "POST /api/v1/ledgers/publicity": Row("post", f"{L}/publicity", {
        "street": "110101001", "kind": "submission", "on": "2026-11-10", "title": "网格工作信息", "outlet": "北京日报"}),
})
# ---- end ledgers

# ---- evaluation: 满意度回访 (the posts the lifecycle allows to follow up: 受理员, 值班长 — the resident answers on the
# public page; the administrator reads the queue) and 条块双向考核 (a street's 督导员 rates departments, a department's handler the centre's dispatch);
# figures, surveys, results and the month's ratings are read with assess.view (a unit its own — the ratings it gave);
# the monthly notices are the reviewer's
EXPECTED.update({
    # columns:                                        anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
    "GET /api/v1/evaluation/queue":                  "401  200  403  200  200  403  403  403  403  403  403  403  403",
    "POST /api/v1/evaluation/queue/{number}/phone":  "401  403  403  200  200  403  403  403  403  403  403  403  403",
    "POST /api/v1/evaluation/queue/{number}/survey": "401  403  403  201  201  403  403  403  403  403  403  403  403",
    "POST /api/v1/evaluation/queue/{number}/calls":  "401  403  403  201  201  403  403  403  403  403  403  403  403",
    "GET /api/v1/evaluation/surveys":                "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/evaluation/figures":                "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/evaluation/dimensions":             "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "POST /api/v1/evaluation/ratings":               "401  403  403  403  403  403  201  403  403  403  201  403  403",
    "GET /api/v1/evaluation/ratings":                "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/evaluation/results/export":         "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "POST /api/v1/evaluation/notices":               "401  200  403  403  200  403  403  403  403  403  403  403  403",
})


def _rating_body(ctx, post):
    if post == "handler":  # a department rates the centre's dispatch
        return {"period": _this_month().strftime("%Y-%m"), "scores": {"accuracy": 5, "clarity": 4, "coordination": 4}}
    return {"period": _this_month().strftime("%Y-%m"), "ratee": "110101-HW",
            "scores": {"speed": 4, "quality": 5, "cooperation": 3}, "remark": "响应及时"}


EVAL = f"{ROOT}/evaluation"
ROWS.update({
    "GET /api/v1/evaluation/queue": Row("get", f"{EVAL}/queue?limit=5"),
    "POST /api/v1/evaluation/queue/{number}/phone": Row("post", f"{EVAL}/queue/{{number}}/phone",
                                                        {"reason": "满意度回访"}, setup=case_in("closed")),
    "POST /api/v1/evaluation/queue/{number}/survey": Row("post", f"{EVAL}/queue/{{number}}/survey", {
        "attitude": 5, "efficiency": 4, "result": 4, "resolved": True, "remark": "很满意"}, setup=case_in("closed")),
    "POST /api/v1/evaluation/queue/{number}/calls": Row("post", f"{EVAL}/queue/{{number}}/calls", {"note": "无人接听"},
                                                        setup=case_in("closed")),
    "GET /api/v1/evaluation/surveys": Row("get", f"{EVAL}/surveys?limit=5"),
    "GET /api/v1/evaluation/figures": Row("get", f"{EVAL}/figures"),
    "GET /api/v1/evaluation/dimensions": Row("get", f"{EVAL}/dimensions"),
    "POST /api/v1/evaluation/ratings": Row("post", f"{EVAL}/ratings", _rating_body),
    "GET /api/v1/evaluation/ratings": Row("get", f"{EVAL}/ratings"),
    "GET /api/v1/evaluation/results/export": Row("get", f"{EVAL}/results/export"),
    "POST /api/v1/evaluation/notices": Row("post", f"{EVAL}/notices",
                                           lambda c, p: {"period": _this_month().strftime("%Y-%m")}),
})
# ---- end evaluation
# ---- integrity: 弄虚作假核查 (read: assess.view; decide: assess.review) and 人员考核 (read: patrol.attendance; the
# scheme: assess.manage). A department's handler holds assess.view for its own results but sees no flag (flags
# concern streets); the street's 督导员 reads its street's flags and does not decide them.
EXPECTED.update({
    # columns:                                        anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
    "GET /api/v1/integrity/flags":                   "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/integrity/flags/{flag_id}":         "401  200  200  403  200  403  200  403  403  403  404  403  403",
    "POST /api/v1/integrity/flags":                  "401  201  403  403  201  403  403  403  403  403  403  403  403",
    "POST /api/v1/integrity/flags/{flag_id}/decide": "401  200  403  403  200  403  403  403  403  403  403  403  403",
    "POST /api/v1/integrity/scan":                   "401  200  403  403  200  403  403  403  403  403  403  403  403",
    "GET /api/v1/integrity/zeroings":                "401  200  200  403  200  403  200  403  403  403  200  403  403",
    "GET /api/v1/performance/sheets":                "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/performance/sheets/export":         "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/performance/scheme":                "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "PUT /api/v1/performance/scheme/{district}":     "401  200  403  403  403  403  403  403  403  403  403  403  403",
})


def integrity_flag(ctx, users):
    from gridgov.integrity import services

    return {"flag": services.create(users["shift"], unit="110101001", item="training", period="2026-11",
                                    reason="矩阵测试：培训签到表代签").pk}


def _scheme_body():
    from gridgov.performance.logic import score

    return {"weights": score.DEFAULT_WEIGHTS, "targets": score.DEFAULT_TARGETS,
            "deductions": score.DEFAULT_DEDUCTIONS, "bands": score.DEFAULT_BANDS}


ROWS.update({
    "GET /api/v1/integrity/flags": Row("get", f"{ROOT}/integrity/flags?status=pending"),
    "GET /api/v1/integrity/flags/{flag_id}": Row("get", f"{ROOT}/integrity/flags/{{flag}}", setup=integrity_flag),
    "POST /api/v1/integrity/flags": Row("post", f"{ROOT}/integrity/flags", {
        "unit": "110101001", "item": "training", "period": "2026-11", "reason": "矩阵测试：督查发现代签"}),
    "POST /api/v1/integrity/flags/{flag_id}/decide": Row("post", f"{ROOT}/integrity/flags/{{flag}}/decide",
                                                         {"decision": "confirm", "reason": "核实属实"},
                                                         setup=integrity_flag),
    "POST /api/v1/integrity/scan": Row("post", f"{ROOT}/integrity/scan", {}),
    "GET /api/v1/integrity/zeroings": Row("get", f"{ROOT}/integrity/zeroings?period=2026-11&district=110101"),
    "GET /api/v1/performance/sheets": Row("get", f"{ROOT}/performance/sheets?month=2026-11"),
    "GET /api/v1/performance/sheets/export": Row("get", f"{ROOT}/performance/sheets/export?month=2026-11&format=csv"),
    "GET /api/v1/performance/scheme": Row("get", f"{ROOT}/performance/scheme?district=110101"),
    "PUT /api/v1/performance/scheme/{district}": Row("put", f"{ROOT}/performance/scheme/110101",
                                                     lambda c, p: _scheme_body()),
})
# ---- end integrity


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


# --- exports: 案件导出 — for the posts that read the KPIs (exports.cases): the leaders and the centres, the street's
# 督导员, a department's handlers (each within its scope); an export and a column set are their owner's (the
# administrator's here: the others get 404)
_EX = "401  200  200  200  200  200  200  403  403  403  200  403  200"
_EX_OWN = "401  200  404  404  404  404  404  403  403  403  404  403  404"
EXPECTED.update({
    # columns:                                        anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
    "GET /api/v1/exports/columns":                   _EX,
    "GET /api/v1/exports/column-sets":               _EX,
    "POST /api/v1/exports/column-sets":              _EX.replace("200", "201"),
    "DELETE /api/v1/exports/column-sets/{set_id}":   _EX_OWN,
    "POST /api/v1/exports":                          _EX.replace("200", "201"),
    "GET /api/v1/exports":                           _EX,
    "GET /api/v1/exports/{export_id}":               _EX_OWN,
    "GET /api/v1/exports/{export_id}/download":      _EX_OWN,
})


def admins_column_set(ctx, users):
    from gridgov.exports import services

    s, _ = services.save_column_set(users["admin"], "矩阵模板", ["number", "status"])
    return {"set": s.pk}


def admins_export(ctx, users):
    from gridgov.exports import services

    return {"export": services.start(users["admin"], "status=closed", ["number"], "csv").pk}


EX = f"{ROOT}/exports"
ROWS.update({
    "GET /api/v1/exports/columns": Row("get", f"{EX}/columns"),
    "GET /api/v1/exports/column-sets": Row("get", f"{EX}/column-sets"),
    "POST /api/v1/exports/column-sets": Row("post", f"{EX}/column-sets", {"name": "我的模板", "columns": ["number"]}),
    "DELETE /api/v1/exports/column-sets/{set_id}": Row("delete", f"{EX}/column-sets/{{set}}", setup=admins_column_set),
    "POST /api/v1/exports": Row("post", EX, {"query": "status=closed", "columns": ["number", "status"],
                                            "format": "csv"}),
    "GET /api/v1/exports": Row("get", EX),
    "GET /api/v1/exports/{export_id}": Row("get", f"{EX}/{{export}}", setup=admins_export),
    "GET /api/v1/exports/{export_id}/download": Row("get", f"{EX}/{{export}}/download", setup=admins_export),
})
# --- end exports


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
    names an operation that exists, and every row has its 13 answers."""
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


# ---- kpi: the seeds' indicators — read by the leaders, the centres (受理员, 值班长, 派遣员, 信息员), the street's
# 督导员 and a department's handlers, each within its scope; not by the field posts (监督员, 网格长, 网格员) nor residents
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/kpi":                               "401  200  200  200  200  200  200  403  403  403  200  403  200",
    "GET /api/v1/kpi/indicators":                    "401  200  200  200  200  200  200  403  403  403  200  403  200",
})
ROWS.update({
    "GET /api/v1/kpi": Row("get", f"{ROOT}/kpi?level=street&period=2026-11"),
    "GET /api/v1/kpi/indicators": Row("get", f"{ROOT}/kpi/indicators"),
})


# --- open311: 12345 work orders come in from the hotline system's account — the centre's desk (受理员, 值班长, 信息员)
# and the administrator record hotline reports (cases.report with the 12345 source); the others may not
def hotline_receiver(ctx, users):
    from gridgov.hotline import services

    services.save_receiver(None, system="bj12345", name="北京 12345", url="http://127.0.0.1:9/hook",
                           secret="matrix-shared-secret-0123")
    return {}


OPEN311_ROWS = {
    "POST /api/v1/hotline/orders": Row("post", f"{ROOT}/hotline/orders", lambda ctx, post: {
        "system": "bj12345", "orders": [{"order_id": f"GD-{post}", "lon": ctx["lon"], "lat": ctx["lat"],
                                         "description": "小区门口垃圾无人清运", "caller_phone": "13600001111"}]},
        setup=hotline_receiver),
}
ROWS.update(OPEN311_ROWS)
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "POST /api/v1/hotline/orders":                   "401  200  403  200  200  403  403  403  403  403  403  403  200",
})
# --- analytics: 统计分析 (any period and level, drill-down, trend) — the KPI page's readers, each within its scope
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/analytics/figures":                 "401  200  200  200  200  200  200  403  403  403  200  403  200",
    "GET /api/v1/analytics/series":                  "401  200  200  200  200  200  200  403  403  403  200  403  200",
})
ANALYTICS_ROWS = {
    "GET /api/v1/analytics/figures": Row("get", f"{ROOT}/analytics/figures?kind=quarter&date=2026-10-01&level=street"),
    "GET /api/v1/analytics/series": Row("get", f"{ROOT}/analytics/series?kind=month&date=2026-11-01&step=week"),
}
ROWS |= ANALYTICS_ROWS
# --- basemap: 标准地址 — every post searches and finds the nearest address (staff within their scope, residents the
# whole register: addresses are public); the administrator (geo.import) keeps the register: one address, an import,
# the buildings feeding it, the import template
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/addresses":                         "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/addresses/nearest":                 "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/addresses/template":                "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/addresses/import":                 "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "POST /api/v1/addresses/sync-buildings":         "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "GET /api/v1/addresses/{code}":                  "401  200  200  200  200  200  200  200  200  200  200  200  200",
    "GET /api/v1/addresses/{code} · elsewhere":      "401  200  200  200  200  200  404  404  404  404  200  200  200",
    "PUT /api/v1/addresses/{code}":                  "401  200  403  403  403  403  403  403  403  403  403  403  403",
    "DELETE /api/v1/addresses/{code}":               "401  200  403  403  403  403  403  403  403  403  403  403  403",
})


def _addresses(ctx, users):
    from gridgov.addresses.models import Address

    mine = Address.objects.filter(scope_key__startswith=OWN_GRID + ".").order_by("code").first()
    other = Address.objects.filter(scope_key__startswith=OTHER_STREET_GRID[:9]).order_by("code").first()
    return {"address": mine.code, "address_lon": mine.lon, "address_lat": mine.lat, "address_elsewhere": other.code}


BASEMAP_ROWS = {
    "GET /api/v1/addresses": Row("get", f"{ROOT}/addresses?q=号"),
    "GET /api/v1/addresses/nearest": Row("get", f"{ROOT}/addresses/nearest?lon={{address_lon}}&lat={{address_lat}}",
                                         setup=_addresses),
    "GET /api/v1/addresses/template": Row("get", f"{ROOT}/addresses/template"),
    "POST /api/v1/addresses/import": Row("post", f"{ROOT}/addresses/import",
                                         lambda c, p: f"街路巷,门牌号,经度,纬度\n矩阵胡同,1,{c['lon']},{c['lat']}\n",
                                         kind="csv"),
    "POST /api/v1/addresses/sync-buildings": Row("post", f"{ROOT}/addresses/sync-buildings"),
    "GET /api/v1/addresses/{code}": Row("get", f"{ROOT}/addresses/{{address}}", setup=_addresses),
    "GET /api/v1/addresses/{code} · elsewhere": Row("get", f"{ROOT}/addresses/{{address_elsewhere}}",
                                                    setup=_addresses),
    "PUT /api/v1/addresses/{code}": Row("put", f"{ROOT}/addresses/{{address}}",
                                        lambda c, p: {"kind": "door", "road": "矩阵胡同", "number": "2",
                                                      "lon": c["lon"], "lat": c["lat"]}, setup=_addresses),
    "DELETE /api/v1/addresses/{code}": Row("delete", f"{ROOT}/addresses/{{address}}", setup=_addresses),
}
ROWS.update(BASEMAP_ROWS)  # basemap


# --- community: 公示牌 and the published numbers — read by the staff posts within their scope (not a department's
# handlers, not residents: residents read the public pages); the 服务热线 and 监督电话 are set by the administrator, the
# street's 督导员 and the community's 网格长 (seed 001 篇4), each within its scope
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/community/phones":                  "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "PUT /api/v1/community/phones":                  "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "PUT /api/v1/community/phones · elsewhere":      "401  200  403  403  403  403  404  403  404  403  403  403  403",
    "GET /api/v1/community/boards":                  "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "GET /api/v1/community/boards/{code}":           "401  200  200  200  200  200  200  200  200  200  403  403  200",
    "GET /api/v1/community/boards/{code} · elsewhere":
                                                     "401  200  200  200  200  200  404  404  404  404  403  403  200",
})
COMMUNITY_ROWS = {
    "GET /api/v1/community/phones": Row("get", f"{ROOT}/community/phones"),
    "PUT /api/v1/community/phones": Row("put", f"{ROOT}/community/phones",
                                        {"kind": "hotline", "key": OWN_GRID, "phone": "010-85000001"}),
    "PUT /api/v1/community/phones · elsewhere": Row("put", f"{ROOT}/community/phones",
                                                    {"kind": "hotline", "key": OTHER_STREET_GRID,
                                                     "phone": "010-85000001"}),
    "GET /api/v1/community/boards": Row("get", f"{ROOT}/community/boards?limit=5"),
    "GET /api/v1/community/boards/{code}": Row("get", f"{ROOT}/community/boards/{OWN_GRID}"),
    "GET /api/v1/community/boards/{code} · elsewhere": Row("get", f"{ROOT}/community/boards/{OTHER_STREET_GRID}"),
}
ROWS.update(COMMUNITY_ROWS)  # community
# --- notices: 通知公告 — every staff post reads the notices of its area (a district's, street's and community's, and
# those addressed to it); the community's 网格长, the street's 督导员, the centre's 值班长 and 信息员 and the
# administrator publish within their area, withdraw, read the receipts and remind the unread; a resident subscribes to
# a community (the demo resident already has 多福巷社区, so the row subscribes to 银闸社区) and unsubscribes
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/notices":                           "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "POST /api/v1/notices":                          "401  201  403  403  201  403  201  403  201  403  403  403  201",
    "POST /api/v1/notices · another street":         "401  201  403  403  201  403  403  403  403  403  403  403  201",
    "GET /api/v1/notices/{pk}":                      "401  200  200  200  200  200  200  200  200  200  200  403  200",
    "GET /api/v1/notices/{pk} · elsewhere":          "401  200  200  200  200  200  404  404  404  404  200  403  200",
    "POST /api/v1/notices/{pk}/withdraw":            "401  200  403  403  200  403  200  403  200  403  403  403  200",
    "GET /api/v1/notices/{pk}/receipts":             "401  200  403  403  200  403  200  403  200  403  403  403  200",
    "POST /api/v1/notices/{pk}/remind":              "401  200  403  403  200  403  200  403  200  403  403  403  200",
    "GET /api/v1/notices/subscriptions/mine":        "401  403  403  403  403  403  403  403  403  403  403  200  403",
    "POST /api/v1/notices/subscriptions":            "401  403  403  403  403  403  403  403  403  403  403  201  403",
    "DELETE /api/v1/notices/subscriptions/{code}":   "401  403  403  403  403  403  403  403  403  403  403  200  403",
})


def _notices(ctx, users):
    from gridgov.notices import services

    def pub(who, **kw):
        return services.publish(users[who], services.Draft(**{"kind": "community", "title": "矩阵通知",
                                                               "body": "内容", "scope": COMMUNITY, **kw})).pk

    return {"notice": pub("gridleader"), "notice_elsewhere": pub("shift", scope=OTHER_STREET_GRID[:12]),
            "staff_notice": pub("gridleader", kind="staff", posts=["grid_worker"])}


NOTICE_BODY = {"kind": "community", "title": "矩阵通知", "body": "内容", "scope": COMMUNITY}
NT = f"{ROOT}/notices"
ROWS.update({
    "GET /api/v1/notices": Row("get", NT),
    "POST /api/v1/notices": Row("post", NT, NOTICE_BODY),
    "POST /api/v1/notices · another street": Row("post", NT, {**NOTICE_BODY, "scope": OTHER_STREET_GRID[:9]}),
    "GET /api/v1/notices/{pk}": Row("get", f"{NT}/{{notice}}", setup=_notices),
    "GET /api/v1/notices/{pk} · elsewhere": Row("get", f"{NT}/{{notice_elsewhere}}", setup=_notices),
    "POST /api/v1/notices/{pk}/withdraw": Row("post", f"{NT}/{{notice}}/withdraw", {"reason": "矩阵"}, setup=_notices),
    "GET /api/v1/notices/{pk}/receipts": Row("get", f"{NT}/{{staff_notice}}/receipts", setup=_notices),
    "POST /api/v1/notices/{pk}/remind": Row("post", f"{NT}/{{staff_notice}}/remind", setup=_notices),
    "GET /api/v1/notices/subscriptions/mine": Row("get", f"{NT}/subscriptions/mine"),
    "POST /api/v1/notices/subscriptions": Row("post", f"{NT}/subscriptions", {"community": "110101001002"}),
    "DELETE /api/v1/notices/subscriptions/{code}": Row("delete", f"{NT}/subscriptions/{COMMUNITY}"),
})
# --- end notices
# --- services: 便民服务 — read (services.view) by the centre, the leader, the street's 督导员 and the grid's people
# within their scope (a community's volunteer teams, pledges and stations also by the people of its grids), not by
# the 监督员, a department or a resident; written (services.manage) by the 督导员, 网格长, 网格员 and the administrator; a
# team member's full phone only for basedata.unmask (网格长, administrator); the catalogue, the 15-minute search and
# requests also for those who request (a resident: their own requests; the centre's desk and the grid's people on a
# resident's behalf); pledges are public
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/services/grids/{code}/team":         "401  200  200  200  200  200  200  403  200  200  403  403  200",
    "GET /api/v1/services/grids/{code}/team · elsewhere": "401  200  200  200  200  200  404  403  404  404  403  403  200",
    "POST /api/v1/services/grids/{code}/team":        "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "POST /api/v1/services/members/{member_id}/phone": "401  200  403  403  403  403  403  403  200  403  403  403  403",
    "GET /api/v1/services/volunteer-teams":           "401  200  200  200  200  200  200  403  200  200  403  403  200",
    "POST /api/v1/services/volunteer-teams/{team_id}/volunteers":
                                                      "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "GET /api/v1/services/volunteer-teams/{team_id}/activities":
                                                      "401  200  200  200  200  200  200  403  200  200  403  403  200",
    "POST /api/v1/services/volunteer-teams/{team_id}/activities":
                                                      "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "GET /api/v1/services/volunteer-teams/{team_id}/hours":
                                                      "401  200  200  200  200  200  200  403  200  200  403  403  200",
    "GET /api/v1/services/facilities/nearby":         "401  200  200  200  200  200  200  403  200  200  403  200  200",
    "POST /api/v1/services/facilities":               "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "GET /api/v1/services/pledges/{community}":       "200  200  200  200  200  200  200  200  200  200  200  200  200",
    "POST /api/v1/services/pledges/{community}":      "401  201  403  403  403  403  201  403  201  201  403  403  403",
    "GET /api/v1/services/elderly-items":             "401  200  200  200  200  200  200  403  200  200  403  200  200",
    "POST /api/v1/services/requests":                 "401  201  403  201  201  403  403  403  201  201  403  201  201",
    "GET /api/v1/services/requests":                  "401  200  200  200  200  200  200  403  200  200  403  200  200",
    "GET /api/v1/services/requests/{request_id}":     "401  200  200  200  200  200  200  403  200  200  403  404  200",
})


def _services(ctx, users):
    from gridgov.services import services
    from gridgov.services.models import ServiceRequest, VolunteerTeam

    member = services.add_member(users["admin"], OWN_GRID, role="doctor", name="矩阵医生", phone="13600001111")
    team = VolunteerTeam.objects.filter(scope_key=COMMUNITY).order_by("id").first()
    volunteer = team.volunteers.order_by("id").first()
    request = ServiceRequest.objects.filter(scope_key__startswith=OWN_GRID, requested_by=users["gridworker"]
                                            ).order_by("id").first()
    return {"member": member.pk, "team": team.pk, "volunteer": volunteer.pk, "request": request.pk}


SERVICES_ROWS = {
    "GET /api/v1/services/grids/{code}/team": Row("get", f"{ROOT}/services/grids/{OWN_GRID}/team"),
    "GET /api/v1/services/grids/{code}/team · elsewhere": Row("get", f"{ROOT}/services/grids/{OTHER_STREET_GRID}/team"),
    "POST /api/v1/services/grids/{code}/team": Row("post", f"{ROOT}/services/grids/{OWN_GRID}/team",
                                                   {"role": "lawyer", "name": "矩阵律师", "phone": "13700002222"}),
    "POST /api/v1/services/members/{member_id}/phone": Row("post", f"{ROOT}/services/members/{{member}}/phone",
                                                           {"reason": "联系义诊"}, setup=_services),
    "GET /api/v1/services/volunteer-teams": Row("get", f"{ROOT}/services/volunteer-teams"),
    "POST /api/v1/services/volunteer-teams/{team_id}/volunteers": Row(
        "post", f"{ROOT}/services/volunteer-teams/{{team}}/volunteers", {"name": "矩阵志愿者"}, setup=_services),
    "GET /api/v1/services/volunteer-teams/{team_id}/activities": Row(
        "get", f"{ROOT}/services/volunteer-teams/{{team}}/activities", setup=_services),
    "POST /api/v1/services/volunteer-teams/{team_id}/activities": Row(
        "post", f"{ROOT}/services/volunteer-teams/{{team}}/activities",
        lambda c, p: {"held_on": "2026-11-10", "place": "社区广场", "content": "矩阵活动",
                      "participants": [{"volunteer_id": c["volunteer"], "hours": "2"}]}, setup=_services),
    "GET /api/v1/services/volunteer-teams/{team_id}/hours": Row(
        "get", f"{ROOT}/services/volunteer-teams/{{team}}/hours?year=2026&month=11", setup=_services),
    "GET /api/v1/services/facilities/nearby": Row("get", f"{ROOT}/services/facilities/nearby?lon={{lon}}&lat={{lat}}"),
    "POST /api/v1/services/facilities": Row("post", f"{ROOT}/services/facilities",
                                            lambda c, p: {"kind": "station", "name": "矩阵服务站", "address": "多福巷",
                                                          "lon": c["lon"], "lat": c["lat"], "hours": "全天"}),
    "GET /api/v1/services/pledges/{community}": Row("get", f"{ROOT}/services/pledges/{COMMUNITY}"),
    "POST /api/v1/services/pledges/{community}": Row("post", f"{ROOT}/services/pledges/{COMMUNITY}",
                                                     {"post": "网格员", "text": "矩阵承诺", "time_limit": "当日"}),
    "GET /api/v1/services/elderly-items": Row("get", f"{ROOT}/services/elderly-items"),
    "POST /api/v1/services/requests": Row("post", f"{ROOT}/services/requests",
                                          lambda c, p: {"item": "60021", "name": "矩阵老人", "phone": "13900003333",
                                                        "lon": c["lon"], "lat": c["lat"], "address": "多福巷"}),
    "GET /api/v1/services/requests": Row("get", f"{ROOT}/services/requests"),
    "GET /api/v1/services/requests/{request_id}": Row("get", f"{ROOT}/services/requests/{{request}}",
                                                      setup=_services),
}
ROWS.update(SERVICES_ROWS)  # services
# --- party: 党建引领 — party membership is restricted: read (party.view) by the community's 网格长, the street's 网格督导员,
# the leader and the administrator within their scope; every other post gets 403 (the attribute is never hinted at);
# organisations, members, 报到 and its confirmation, 承诺, 入户, 帮扶对子 and their visits are recorded (party.manage)
# by the 网格长, the 督导员 and the administrator
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/party/orgs":                        "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/party/orgs":                       "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/party/orgs/{org_id}":               "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/party/orgs/{org_id}/leader":       "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/party/members":                     "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/party/members":                    "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/party/members/{member_id}":         "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/party/residents/{resident_id}":     "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/party/members/{member_id}/pledges": "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "POST /api/v1/party/members/{member_id}/visits": "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/party/registrations":               "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/party/registrations":              "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "POST /api/v1/party/registrations/{registration_id}/confirm":
                                                     "401  200  403  403  403  403  200  403  200  403  403  403  403",
    "GET /api/v1/party/pairs":                       "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/party/pairs":                      "401  201  403  403  403  403  201  403  201  403  403  403  403",
    "GET /api/v1/party/pairs/{pair_id}":             "401  200  200  403  403  403  200  403  200  403  403  403  403",
    "POST /api/v1/party/pairs/{pair_id}/visits":     "401  201  403  403  403  403  201  403  201  403  403  403  403",
})


def _party(ctx, users):
    """In the grid worker's grid: an organisation, an 在职党员 not yet registered, one with a 报到 waiting, a pair, a
    resident who is no member and a household the pair's helper is not paired with."""
    from gridgov.basedata.models import Household, Resident
    from gridgov.party import services
    from gridgov.party.models import Member

    admin = users["admin"]
    org = services.create_org(admin, "矩阵网格党小组", "group", [OWN_GRID])
    free = list(Resident.objects.filter(scope_key__startswith=OWN_GRID + ".", status="active", household__isnull=False)
                .exclude(pk__in=Member.objects.values("resident_id")).order_by("id")[:4])
    helper = services.add_member(admin, free[0].pk, org.pk, in_service=True, employer="区财政局")
    waiting = services.add_member(admin, free[1].pk, org.pk, in_service=True, employer="区教育委员会")
    reg = services.register(admin, waiting.pk)
    households = list(Household.objects.filter(scope_key__startswith=OWN_GRID + ".")
                      .exclude(pk=free[0].household_id).order_by("id").values_list("pk", flat=True)[:2])
    pair = services.create_pair(admin, helper.pk, households[0], "独居老人")
    return {"party_org": org.pk, "party_member": helper.pk, "party_resident": free[2].pk, "party_reg": reg.pk,
            "party_pair": pair.pk, "party_household": households[1]}


PA = f"{ROOT}/party"
ROWS.update({
    "GET /api/v1/party/orgs": Row("get", f"{PA}/orgs"),
    "POST /api/v1/party/orgs": Row("post", f"{PA}/orgs", {"name": "矩阵网格党支部", "kind": "branch", "grids": [OWN_GRID]}),
    "GET /api/v1/party/orgs/{org_id}": Row("get", f"{PA}/orgs/{{party_org}}", setup=_party),
    "POST /api/v1/party/orgs/{org_id}/leader": Row("post", f"{PA}/orgs/{{party_org}}/leader",
                                                   lambda c, p: {"member_id": c["party_member"]}, setup=_party),
    "GET /api/v1/party/members": Row("get", f"{PA}/members?year=2026"),
    "POST /api/v1/party/members": Row("post", f"{PA}/members", lambda c, p: {"resident_id": c["party_resident"],
                                                                           "org_id": c["party_org"]}, setup=_party),
    "GET /api/v1/party/members/{member_id}": Row("get", f"{PA}/members/{{party_member}}", setup=_party),
    "GET /api/v1/party/residents/{resident_id}": Row("get", f"{PA}/residents/{{party_resident}}", setup=_party),
    "POST /api/v1/party/members/{member_id}/pledges": Row("post", f"{PA}/members/{{party_member}}/pledges",
                                                          {"content": "每月参加一次社区志愿服务"}, setup=_party),
    "POST /api/v1/party/members/{member_id}/visits": Row("post", f"{PA}/members/{{party_member}}/visits",
                                                         lambda c, p: {"household_id": c["party_household"],
                                                                       "content": "宣传养老政策"}, setup=_party),
    "GET /api/v1/party/registrations": Row("get", f"{PA}/registrations?status=pending"),
    "POST /api/v1/party/registrations": Row("post", f"{PA}/registrations",
                                            lambda c, p: {"member_id": c["party_member"]}, setup=_party),
    "POST /api/v1/party/registrations/{registration_id}/confirm": Row(
        "post", f"{PA}/registrations/{{party_reg}}/confirm", {"confirm": True}, setup=_party),
    "GET /api/v1/party/pairs": Row("get", f"{PA}/pairs?days=90"),
    "POST /api/v1/party/pairs": Row("post", f"{PA}/pairs", lambda c, p: {
        "helper_id": c["party_member"], "household_id": c["party_household"], "need": "低保家庭"}, setup=_party),
    "GET /api/v1/party/pairs/{pair_id}": Row("get", f"{PA}/pairs/{{party_pair}}", setup=_party),
    "POST /api/v1/party/pairs/{pair_id}/visits": Row("post", f"{PA}/pairs/{{party_pair}}/visits",
                                                     {"content": "陪同就医", "result": "已取药"}, setup=_party),
})
# --- end party
# --- households: 网格长年度走访覆盖 — the posts with basedata.stats, each within its scope (another street's community:
# 404 for the street's, the community's and the grid's posts)
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/basedata/coverage":                 "401  200  200  403  403  403  200  403  200  200  403  403  403",
    "GET /api/v1/basedata/coverage · elsewhere":     "401  200  200  403  403  403  404  403  404  404  403  403  403",
})
ROWS.update({
    "GET /api/v1/basedata/coverage": Row("get", f"{ROOT}/basedata/coverage"),
    "GET /api/v1/basedata/coverage · elsewhere": Row("get", f"{ROOT}/basedata/coverage?node=110101002001"),
})  # households
# --- training: 培训考试 — every staff post reads the courses and exams offered to it, takes them and reads its own
# attempt, certificate and record; the centre's 值班长, a street's 督导员 and the administrator manage (courses, banks,
# exams, sessions, results) within their own subtree: the district's course and bank are not the street's to change
# (403), someone else's attempt is seen by the managers of its scope only (others 404) and answered by its owner only
_TV = "401  {0}  {0}  {0}  {0}  {0}  {0}  {0}  {0}  {0}  {0}  403  {0}"  # training.view
_TM = "401  {0}  403  403  {0}  403  {0}  403  403  403  403  403  403"  # training.manage
_TD = "401  {0}  403  403  {0}  403  403  403  403  403  403  403  403"  # manage, the district's own content
_TA = "401  {0}  404  404  {0}  404  {0}  404  404  {1}  404  403  404"  # the grid worker's attempt or record
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/training/courses": _TV.format(200),
    "POST /api/v1/training/courses": _TM.format(201),
    "GET /api/v1/training/courses/{course_id}": _TV.format(200),
    "POST /api/v1/training/courses/{course_id}/materials": _TD.format(201),
    "POST /api/v1/training/banks": _TM.format(201),
    "GET /api/v1/training/banks/template": _TM.format(200),
    "POST /api/v1/training/banks/{bank_id}/import": _TD.format(200),
    "GET /api/v1/training/exams": _TV.format(200),
    "POST /api/v1/training/exams": _TD.format(201),
    "POST /api/v1/training/exams/{exam_id}/attempts": _TV.format(201),
    "GET /api/v1/training/attempts/{attempt_id}": _TA.format(200, 200),
    "PUT /api/v1/training/attempts/{attempt_id}/answers": _TA.format(403, 200),
    "POST /api/v1/training/attempts/{attempt_id}/submit": _TA.format(403, 200),
    "GET /api/v1/training/attempts/{attempt_id}/certificate": _TA.format(200, 200),
    "GET /api/v1/training/results": _TM.format(200),
    "GET /api/v1/training/sessions": _TV.format(200),
    "POST /api/v1/training/sessions": _TM.format(201),
    "GET /api/v1/training/records/{person_id}": _TA.format(200, 200),
})
TRAINING_SHEET = [["题型", "题目", "选项A", "选项B", "答案", "分值"], ["单选", "矩阵题一", "对的", "错的", "A", "50"],
                  ["判断", "矩阵题二", "", "", "对", "50"]]


def training_sheet() -> bytes:
    from gridgov import spreadsheets

    return spreadsheets.write("xlsx", TRAINING_SHEET[0], TRAINING_SHEET[1:])[0]


def training_exam(ctx, users, passed: bool | None = None):
    """The district's course (every staff post), a bank of two questions and an exam of both; with ``passed``
    given, the grid worker's attempt (passed: both answered right; False: open)."""
    from gridgov.training import services

    admin = users["admin"]
    course = services.create_course(admin, "矩阵课程", "", "110101")
    bank = services.create_bank(admin, "矩阵题库", "110101")
    services.import_questions(admin, bank.pk, training_sheet())
    exam = services.create_exam(admin, course.pk, bank.pk, "矩阵考试", 2, 30, 60)
    out = {"course": course.pk, "bank": bank.pk, "exam": exam.pk, "person": users["gridworker"].pk}
    if passed is not None:
        a = services.start(users["gridworker"], exam.pk)
        if passed:
            services.submit(users["gridworker"], a.pk, {str(q.pk): q.answer for q in services.questions_of(a)})
        out["attempt"] = a.pk
    return out


TR = f"{ROOT}/training"
ROWS.update({
    "GET /api/v1/training/courses": Row("get", f"{TR}/courses"),
    "POST /api/v1/training/courses": Row("post", f"{TR}/courses", {"title": "矩阵课程", "posts": ["grid_worker"]}),
    "GET /api/v1/training/courses/{course_id}": Row("get", f"{TR}/courses/{{course}}", setup=training_exam),
    "POST /api/v1/training/courses/{course_id}/materials": Row("post", f"{TR}/courses/{{course}}/materials",
                                                               {"title": "材料", "body": "正文"}, kind="multipart",
                                                               setup=training_exam),
    "POST /api/v1/training/banks": Row("post", f"{TR}/banks", {"title": "矩阵题库"}),
    "GET /api/v1/training/banks/template": Row("get", f"{TR}/banks/template"),
    "POST /api/v1/training/banks/{bank_id}/import": Row(
        "post", f"{TR}/banks/{{bank}}/import",
        lambda c, p: training_sheet(), kind="raw", setup=training_exam),
    "GET /api/v1/training/exams": Row("get", f"{TR}/exams"),
    "POST /api/v1/training/exams": Row("post", f"{TR}/exams", lambda c, p: {
        "course": c["course"], "bank": c["bank"], "title": "矩阵考试二", "question_count": 2, "minutes": 20,
        "pass_mark": 60}, setup=training_exam),
    "POST /api/v1/training/exams/{exam_id}/attempts": Row("post", f"{TR}/exams/{{exam}}/attempts", setup=training_exam),
    "GET /api/v1/training/attempts/{attempt_id}": Row("get", f"{TR}/attempts/{{attempt}}",
                                                      setup=lambda c, u: training_exam(c, u, passed=False)),
    "PUT /api/v1/training/attempts/{attempt_id}/answers": Row("put", f"{TR}/attempts/{{attempt}}/answers",
                                                              {"answers": {}},
                                                              setup=lambda c, u: training_exam(c, u, passed=False)),
    "POST /api/v1/training/attempts/{attempt_id}/submit": Row("post", f"{TR}/attempts/{{attempt}}/submit", {},
                                                              setup=lambda c, u: training_exam(c, u, passed=False)),
    "GET /api/v1/training/attempts/{attempt_id}/certificate": Row(
        "get", f"{TR}/attempts/{{attempt}}/certificate", setup=lambda c, u: training_exam(c, u, passed=True)),
    "GET /api/v1/training/results": Row("get", f"{TR}/results"),
    "GET /api/v1/training/sessions": Row("get", f"{TR}/sessions"),
    "POST /api/v1/training/sessions": Row("post", f"{TR}/sessions", {
        "held_on": "2026-11-05", "title": "矩阵培训", "kind": "whole", "attendees": ["gridworker"],
        "street": "110101001"}),
    "GET /api/v1/training/records/{person_id}": Row("get", f"{TR}/records/{{person}}", setup=training_exam),
})
# --- end training
# ---- groups: 人员网格 (organisations divided into groups, notices with confirmation, holiday whereabouts, 例会,
# members' reports, dynamic groups of residents) — read by the grid's people (网格员, 网格长), the street's 督导员, the
# leader and the administrator within their scope; managed by the same posts but the leader; a report from a group
# needs cases.report too (the leader reads but does not report); an organisation in another street is not found
# (404) by the street's, the community's and the grid's people
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
GROUPS_READ = "401  200  200  403  403  403  200  403  200  200  403  403  403"
GROUPS_MAKE = "401  201  403  403  403  403  201  403  201  201  403  403  403"
GROUPS_DO = "401  200  403  403  403  403  200  403  200  200  403  403  403"
EXPECTED.update({
    "GET /api/v1/groups/orgs":                       GROUPS_READ,
    "POST /api/v1/groups/orgs":                      GROUPS_MAKE,
    "GET /api/v1/groups/orgs/{org_id}":              GROUPS_READ,
    "GET /api/v1/groups/orgs/{org_id} · elsewhere":  "401  200  200  403  403  403  404  403  404  404  403  403  403",
    "POST /api/v1/groups/orgs/{org_id}/groups":      GROUPS_MAKE,
    "POST /api/v1/groups/orgs/{org_id}/members":     GROUPS_MAKE,
    "POST /api/v1/groups/orgs/{org_id}/notices":     GROUPS_MAKE,
    "GET /api/v1/groups/notices/{notice_id}":        GROUPS_READ,
    "POST /api/v1/groups/notices/{notice_id}/confirm": GROUPS_DO,
    "POST /api/v1/groups/orgs/{org_id}/holidays":    GROUPS_MAKE,
    "GET /api/v1/groups/holidays/{holiday_id}":      GROUPS_READ,
    "POST /api/v1/groups/holidays/{holiday_id}/whereabouts": GROUPS_DO,
    "POST /api/v1/groups/holidays/{holiday_id}/returns": GROUPS_DO,
    "POST /api/v1/groups/orgs/{org_id}/meetings":    GROUPS_MAKE,
    "POST /api/v1/groups/groups/{group_id}/reports": GROUPS_MAKE,
    "GET /api/v1/groups/dynamic":                    GROUPS_READ,
    "POST /api/v1/groups/dynamic":                   GROUPS_MAKE,
    "GET /api/v1/groups/dynamic/{dynamic_id}":       GROUPS_READ,
})


def groups_world(grid: str = OWN_GRID):
    """A class with two dormitories (a cadre and a member each) in ``grid``, a notice to both, a holiday with one
    member gone home, 例会 every two weeks since two weeks ago, and a dynamic group of the grid — made through the
    services by the grid leader (or the administrator, for a grid of another street)."""
    def setup(ctx, users):
        from django.utils import timezone

        from gridgov.groups import services

        who = users["gridleader"] if grid == OWN_GRID else users["admin"]
        today = timezone.localdate()
        o = services.create_organisation(who, {"name": "矩阵学院", "grid": grid,
                                               "meeting_start": today - dt.timedelta(days=14)})
        klass = services.add_group(who, o.pk, "矩阵一班")
        dorms = [services.add_group(who, o.pk, f"{i}号寝室", klass.pk) for i in (1, 2)]
        m = [services.add_member(who, o.pk, {"group_id": d.pk, "name": "矩阵成员", "cadre": True}) for d in dorms]
        n = services.send_notice(who, o.pk, "矩阵通知")
        h = services.create_holiday(who, o.pk, "矩阵假期", today - dt.timedelta(days=10), today - dt.timedelta(days=3))
        services.record_whereabouts(who, h.pk, m[0].pk, "home", "江苏省", today - dt.timedelta(days=10),
                                    today - dt.timedelta(days=3))
        d = services.create_dynamic(who, "矩阵动态网格", grid, [{"field": "age", "op": "gte", "value": 80}], "网格长")
        return {"org": o.pk, "dorm": dorms[0].pk, "member": m[0].pk, "member2": m[1].pk, "notice": n.pk,
                "holiday": h.pk, "dynamic": d.pk, "start": (today - dt.timedelta(days=14)).isoformat(),
                "today": today.isoformat()}
    return setup


GR = f"{ROOT}/groups"
GROUPS_ROWS = {
    "GET /api/v1/groups/orgs": Row("get", f"{GR}/orgs", setup=groups_world()),
    "POST /api/v1/groups/orgs": Row("post", f"{GR}/orgs", {"name": "矩阵公司", "kind": "company", "grid": OWN_GRID}),
    "GET /api/v1/groups/orgs/{org_id}": Row("get", f"{GR}/orgs/{{org}}", setup=groups_world()),
    "GET /api/v1/groups/orgs/{org_id} · elsewhere": Row("get", f"{GR}/orgs/{{org}}",
                                                       setup=groups_world(OTHER_STREET_GRID)),
    "POST /api/v1/groups/orgs/{org_id}/groups": Row("post", f"{GR}/orgs/{{org}}/groups", {"name": "3号寝室"},
                                                     setup=groups_world()),
    "POST /api/v1/groups/orgs/{org_id}/members": Row("post", f"{GR}/orgs/{{org}}/members", lambda c, p: {
        "group_id": c["dorm"], "name": "新成员", "phone": "13900003001"}, setup=groups_world()),
    "POST /api/v1/groups/orgs/{org_id}/notices": Row("post", f"{GR}/orgs/{{org}}/notices", {"title": "第二条通知"},
                                                     setup=groups_world()),
    "GET /api/v1/groups/notices/{notice_id}": Row("get", f"{GR}/notices/{{notice}}", setup=groups_world()),
    "POST /api/v1/groups/notices/{notice_id}/confirm": Row("post", f"{GR}/notices/{{notice}}/confirm", lambda c, p: {
        "group_id": c["dorm"]}, setup=groups_world()),
    "POST /api/v1/groups/orgs/{org_id}/holidays": Row("post", f"{GR}/orgs/{{org}}/holidays", {
        "name": "寒假", "starts_on": "2027-01-15", "ends_on": "2027-02-20"}, setup=groups_world()),
    "GET /api/v1/groups/holidays/{holiday_id}": Row("get", f"{GR}/holidays/{{holiday}}", setup=groups_world()),
    "POST /api/v1/groups/holidays/{holiday_id}/whereabouts": Row(
        "post", f"{GR}/holidays/{{holiday}}/whereabouts", lambda c, p: {"member_id": c["member2"], "plan": "stay"},
        setup=groups_world()),
    "POST /api/v1/groups/holidays/{holiday_id}/returns": Row(
        "post", f"{GR}/holidays/{{holiday}}/returns", lambda c, p: {"member_id": c["member"]}, setup=groups_world()),
    "POST /api/v1/groups/orgs/{org_id}/meetings": Row("post", f"{GR}/orgs/{{org}}/meetings", lambda c, p: {
        "scheduled_for": c["start"], "held_on": c["start"], "minutes": "总结两周工作"}, setup=groups_world()),
    "POST /api/v1/groups/groups/{group_id}/reports": Row("post", f"{GR}/groups/{{dorm}}/reports", {
        "description": "寝室楼道灯坏了"}, setup=groups_world()),
    "GET /api/v1/groups/dynamic": Row("get", f"{GR}/dynamic", setup=groups_world()),
    "POST /api/v1/groups/dynamic": Row("post", f"{GR}/dynamic", {
        "name": "独居高龄", "place": OWN_GRID, "responsible": "网格员",
        "conditions": [{"field": "age", "op": "gte", "value": 80}, {"field": "living_alone", "value": True}]}),
    "GET /api/v1/groups/dynamic/{dynamic_id}": Row("get", f"{GR}/dynamic/{{dynamic}}", setup=groups_world()),
}
ROWS.update(GROUPS_ROWS)
# ---- end groups
# --- ops: 运行状态 (health checks, queues and outboxes, periodic runs, workers, this month's fault days) — the
# administrator's, like /metrics
# columns:                                          anon adm  lead int  shif disp sup  insp gld  gwk  hand res  clerk
EXPECTED.update({
    "GET /api/v1/ops/status":                        "401  200  403  403  403  403  403  403  403  403  403  403  403",
})
ROWS.update({"GET /api/v1/ops/status": Row("get", f"{ROOT}/ops/status")})  # ops


# ==== a new block of EXPECTED and ROWS goes above this line (the test below stays last) ====


# --- basemap: the rows added after test_each_post_gets_what_the_table_says was parametrized (its list(EXPECTED)
# is taken where it is defined: kpi's and basemap's blocks above, anyone's appended later) are run here the same way
_RUN_ABOVE = set(test_each_post_gets_what_the_table_says.pytestmark[0].args[1])


@pytest.mark.parametrize("key", [k for k in EXPECTED if k not in _RUN_ABOVE])
def test_rows_added_below_the_test_get_what_the_table_says(key, users):
    test_each_post_gets_what_the_table_says(key, users)
