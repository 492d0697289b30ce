"""Photo intake: check the real image type and size, read the EXIF position, store through the PhotoStore port.

A bad file is refused with a Chinese message naming the file; the caller keeps the rest of the report.
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from PIL import ExifTags, Image, UnidentifiedImageError

from gridgov.errors import DomainError

from ..logic.photohash import dhash
from ..models import CasePhoto
from ..storage import photo_store

ALLOWED = {"JPEG": (".jpg", "image/jpeg"), "PNG": (".png", "image/png"), "WEBP": (".webp", "image/webp")}
MAX_PIXELS = 80_000_000


@dataclass
class CheckedPhoto:
    data: bytes
    suffix: str
    content_type: str
    width: int
    height: int
    exif_lon: float | None
    exif_lat: float | None
    taken_at: str
    dhash: str = ""


def _dms(values, ref) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if ref in ("S", "W") else value


def check_photo(name: str, data: bytes) -> CheckedPhoto:
    limit = settings.GRIDGOV["PHOTO_MAX_BYTES"]
    if not data:
        raise DomainError("photo_empty", f"照片「{name}」是空文件")
    if len(data) > limit:
        raise DomainError("photo_too_large", f"照片「{name}」超过 {limit // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data)) as img:  # verify() must come straight after open
            img.verify()
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            width, height = img.size
            if width * height > MAX_PIXELS:
                raise DomainError("photo_too_large", f"照片「{name}」像素过多")
            exif = img.getexif()
            img.load()  # decode it all: a truncated file fails here
            phash = dhash(img)  # integrity: the perceptual hash that finds a photo reused on another case
    except DomainError:
        raise
    except Image.DecompressionBombError:  # declares more pixels than Pillow's MAX_IMAGE_PIXELS allows: never decoded
        raise DomainError("photo_too_large", f"照片「{name}」像素过多") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, RuntimeError):
        raise DomainError("photo_not_image", f"文件「{name}」不是有效的图片（只接受 JPEG、PNG、WebP）") from None
    if fmt not in ALLOWED:
        raise DomainError("photo_type", f"照片「{name}」的格式 {fmt} 不受支持（只接受 JPEG、PNG、WebP）")
    lon = lat = None
    taken = ""
    if exif:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        if gps:
            lat = _dms(gps.get(2), gps.get(1))
            lon = _dms(gps.get(4), gps.get(3))
            if lat is not None and not -90 <= lat <= 90 or lon is not None and not -180 <= lon <= 180:
                lon = lat = None
        taken = str(exif.get_ifd(ExifTags.IFD.Exif).get(36867) or exif.get(306) or "")[:32]
    suffix, content_type = ALLOWED[fmt]
    return CheckedPhoto(data, suffix, content_type, width, height, lon, lat, taken, phash)


def store_photos(case, files, kind: str, user) -> tuple[list[CasePhoto], list[dict]]:
    """Store the good files; return the stored photos and a list of {file, code, message} for the bad ones."""
    stored, errors = [], []
    store = photo_store()
    for name, data in files:
        try:
            p = check_photo(name, data)
        except DomainError as e:
            errors.append({"file": name, "code": e.code, "message": e.message})
            continue
        key = store.save(p.data, p.suffix)
        stored.append(CasePhoto(
            case=case, kind=kind, storage_key=key, content_type=p.content_type, size=len(p.data), width=p.width,
            height=p.height, sha256=hashlib.sha256(p.data).hexdigest(), exif_lon=p.exif_lon, exif_lat=p.exif_lat,
            taken_at=p.taken_at, dhash=p.dhash, uploaded_by=user if getattr(user, "pk", None) else None,
        ))
    CasePhoto.objects.bulk_create(stored)
    return stored, errors
