"""Photo checks: real image type by content, size limit, EXIF GPS position read when present."""

import io

import pytest
from PIL import ExifTags, Image

from gridgov.cases.services.photos import check_photo
from gridgov.errors import DomainError


def jpeg(gps: dict | None = None, size=(32, 24)) -> bytes:
    img = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.GPSInfo] = gps
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_exif_position_is_read():
    # 39°54'36" N, 116°24'54" E  →  39.91, 116.415
    gps = {1: "N", 2: (39.0, 54.0, 36.0), 3: "E", 4: (116.0, 24.0, 54.0)}
    p = check_photo("scene.jpg", jpeg(gps))
    assert p.content_type == "image/jpeg" and (p.width, p.height) == (32, 24)
    assert p.exif_lat == pytest.approx(39.91) and p.exif_lon == pytest.approx(116.415)


def test_southern_and_western_positions_are_negative():
    p = check_photo("s.jpg", jpeg({1: "S", 2: (33.0, 30.0, 0.0), 3: "W", 4: (70.0, 15.0, 0.0)}))
    assert p.exif_lat == pytest.approx(-33.5) and p.exif_lon == pytest.approx(-70.25)


def test_no_exif_no_position():
    p = check_photo("plain.jpg", jpeg())
    assert p.exif_lat is None and p.exif_lon is None


def test_png_is_accepted_by_content_not_by_name():
    buf = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buf, "PNG")
    assert check_photo("photo.jpg", buf.getvalue()).content_type == "image/png"


@pytest.mark.parametrize("name,data,code", [
    ("virus.jpg", b"MZ\x90\x00 this is no image", "photo_not_image"),
    ("empty.jpg", b"", "photo_empty"),
    ("truncated.jpg", jpeg()[:40], "photo_not_image"),
])
def test_bad_files_are_refused_with_the_file_named(name, data, code):
    with pytest.raises(DomainError) as e:
        check_photo(name, data)
    assert e.value.code == code and name in e.value.message


def test_size_limit(settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "PHOTO_MAX_BYTES": 100}
    with pytest.raises(DomainError) as e:
        check_photo("big.jpg", jpeg())
    assert e.value.code == "photo_too_large"


def test_gif_is_refused():
    buf = io.BytesIO()
    Image.new("P", (5, 5)).save(buf, "GIF")
    with pytest.raises(DomainError) as e:
        check_photo("anim.gif", buf.getvalue())
    assert e.value.code == "photo_type"
