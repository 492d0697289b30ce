"""公示照片 (issue #17 item 1: the board shows "its staff with photo"; seed 001 篇4 「统一公开身份」): a person's photo is
uploaded on the board's page by the person or by a 网格长/督导员/管理员 of the grid, checked like a case photo, cut to 3:4
(300 × 400), shown on the board (page, PDF, API) and the public directory; a person without one keeps the silhouette.

The demo gave photos to every other person of 多福巷社区's grids; each test first sets the state it asserts.
"""

import io

import pypdf
import pytest
from django.test import Client
from PIL import Image

from gridgov.audit.models import AuditRecord
from gridgov.community import services
from gridgov.community.models import StaffPhoto
from gridgov.geo.models import GridDuty

pytestmark = pytest.mark.django_db

OWN_GRID = "110101001001W001"  # the demo grid worker's and grid leader's grid, in 多福巷社区
BOARD = f"/community/board/{OWN_GRID}/"


def png(width=600, height=600, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def upload(client, person, data: bytes, name="me.png"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(f"/community/photos/{person.pk}/", {"photo": f, "next": BOARD})


def pdf_images(client) -> int:
    body = client.get(f"{BOARD}board.pdf").content
    return len(pypdf.PdfReader(io.BytesIO(body)).pages[0].images)


def without_photo(users, username):
    person = users[username]
    StaffPhoto.objects.filter(person=person).delete()
    return person


def test_a_photo_uploaded_on_the_board_page_is_on_the_board_the_pdf_and_public(users, client_for):
    worker = without_photo(users, "gridworker")
    c = client_for("gridleader")
    assert f'data-photo="{worker.pk}"' not in c.get(BOARD).content.decode()
    images_before = pdf_images(c)
    audits = AuditRecord.objects.count()

    r = upload(c, worker, png(800, 600))
    assert r.status_code == 302 and r["Location"] == BOARD
    assert "已上传" in c.get(BOARD).content.decode()
    assert f'data-photo="{worker.pk}"' in c.get(BOARD).content.decode()
    assert pdf_images(c) == images_before + 1
    # one audit record naming the stored file, never the bytes
    rec = AuditRecord.objects.order_by("-id").first()
    assert AuditRecord.objects.count() == audits + 1
    assert (rec.action, rec.object_type, rec.object_id) == ("community.photo_set", "staff_photo", str(worker.pk))
    # public (it is printed on the board): 300 × 400 JPEG, for anyone
    r = Client().get(f"/community/photos/{worker.pk}.jpg")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(r.content)).size == (300, 400)
    # the API gives its address
    api = c.get(f"/api/v1/community/boards/{OWN_GRID}").json()
    mine = [p for p in api["people"] if p["name"] == (worker.display_name or worker.username)]
    assert mine and all(p["photo_url"] == f"http://testserver/community/photos/{worker.pk}.jpg" for p in mine)


def test_removing_a_photo_brings_the_silhouette_back(users, client_for):
    worker = without_photo(users, "gridworker")
    c = client_for("gridleader")
    upload(c, worker, png())
    r = c.post(f"/community/photos/{worker.pk}/", {"remove": "1", "next": BOARD})
    assert r.status_code == 302
    assert not StaffPhoto.objects.filter(person=worker).exists()
    assert f'data-photo="{worker.pk}"' not in c.get(BOARD).content.decode()
    assert Client().get(f"/community/photos/{worker.pk}.jpg").status_code == 404
    assert AuditRecord.objects.order_by("-id").first().action == "community.photo_removed"


def test_a_file_that_is_not_a_photo_is_refused_in_chinese_and_nothing_changes(users, client_for):
    worker = without_photo(users, "gridworker")
    c = client_for("gridleader")
    audits = AuditRecord.objects.count()
    r = upload(c, worker, b"%PDF-1.4 not a photo", name="简历.pdf")
    assert r.status_code == 302
    page = c.get(BOARD).content.decode()
    assert "文件「简历.pdf」不是有效的图片（只接受 JPEG、PNG、WebP）" in page
    assert not StaffPhoto.objects.filter(person=worker).exists()
    assert AuditRecord.objects.count() == audits


# (who uploads, whose photo) → HTTP status of the upload and whether a photo is kept. The person themselves may
# (any post with community.view on a board); the 网格长, the 督导员 and the administrator for the people of the grids
# in their scope; nobody else.
WHO = [
    ("gridworker", "gridworker", 302, True),
    ("gridworker", "gridleader", 403, False),  # a 网格员 has no community.manage
    ("gridleader", "gridworker", 302, True),
    ("supervisor", "gridworker", 302, True),
    ("admin", "gridworker", 302, True),
    ("handler", "gridworker", 403, False),  # a department: no community.view
    ("resident", "gridworker", 403, False),
    ("leader", "gridworker", 403, False),  # reads the boards, keeps nothing
]


@pytest.mark.parametrize("actor,target,status,kept", WHO)
def test_who_may_upload_whose_photo(users, client_for, actor, target, status, kept):
    person = without_photo(users, target)
    r = upload(client_for(actor), person, png())
    assert r.status_code == status
    assert StaffPhoto.objects.filter(person=person).exists() is kept


def test_a_person_on_a_board_in_another_street_is_out_of_the_grid_leaders_scope(client_for):
    far = GridDuty.objects.filter(grid__layer__code="management",
                                  grid__community__code__startswith="110101002").select_related("person").first()
    StaffPhoto.objects.filter(person=far.person).delete()
    r = upload(client_for("gridleader"), far.person, png())
    assert r.status_code == 404
    assert not StaffPhoto.objects.filter(person=far.person).exists()


def test_the_photo_of_someone_on_no_board_is_not_public(users):
    assert Client().get(f"/community/photos/{users['intake'].pk}.jpg").status_code == 404
    assert Client().get("/community/photos/99999999.jpg").status_code == 404


def test_the_demo_gave_every_other_person_of_the_community_a_photo():
    people = {d.person_id for d in GridDuty.objects.filter(grid__layer__code="management",
                                                          grid__community__code="110101001001")}
    with_photo = set(StaffPhoto.objects.filter(person_id__in=people).values_list("person_id", flat=True))
    assert len(with_photo) == (len(people) + 1) // 2
    assert services.photo_bytes(next(iter(with_photo)))[:2] == b"\xff\xd8"  # a JPEG
