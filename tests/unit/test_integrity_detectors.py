"""弄虚作假核查's detectors and the perceptual hash, on inputs made by hand (figures worked out in the comments)."""

import datetime as dt

from PIL import Image

from gridgov.cases.logic.photohash import dhash, hamming
from gridgov.integrity.logic import detectors as det

TH = det.Thresholds()  # 500 m, 24 h before / 10 min after, 4 bits, 120 km/h over ≥ 1 km, 3 closures, 72 h


def gradient(rows_reversed: int = 0) -> Image.Image:
    """9 × 8 grey picture; each row falls from left to right (every pixel brighter than its right neighbour: bit 1),
    except the first ``rows_reversed`` rows, which rise (bit 0)."""
    img = Image.new("L", (9, 8))
    for y in range(8):
        for x in range(9):
            img.putpixel((x, y), 20 * x + 10 if y < rows_reversed else 200 - 20 * x)
    return img


def test_dhash_of_a_falling_gradient_is_all_ones_and_a_rising_row_clears_eight_bits():
    assert dhash(gradient()) == "ffffffffffffffff"
    assert dhash(gradient(1)) == "00ffffffffffffff"  # the first row's 8 bits are 0
    assert hamming("ffffffffffffffff", "00ffffffffffffff") == 8
    assert dhash(gradient(8)) == "0000000000000000"


def test_dhash_survives_a_resize_of_the_same_picture():
    big = gradient(2).resize((180, 160), Image.Resampling.BILINEAR)
    assert hamming(dhash(big), dhash(gradient(2))) <= 2


def test_reused_photos_pairs_different_cases_within_four_bits():
    photos = [(1, 10, "ffffffffffffffff"), (2, 11, "fffffffffffffff0"),  # 4 bits apart, different cases: a pair
              (3, 12, "00ffffffffffffff"),  # 8 bits from photo 1: not a pair
              (4, 10, "ffffffffffffffff")]  # the same case as photo 1: never a pair with it
    assert det.reused_photos(photos, TH) == [(1, 2, 4), (2, 4, 4)]


def test_photo_far_from_the_case_is_flagged_with_its_distance():
    # 0.01° of latitude = 6 371 008.8 m × π / 180 × 0.01 = 1 111.95 m > 500 m
    found = det.photo_place(116.40, 39.90, 116.40, 39.91, TH)
    assert found["distance_m"] == 1112 and found["limit_m"] == 500
    # 0.004° = 444.8 m: within 500 m
    assert det.photo_place(116.40, 39.90, 116.40, 39.904, TH) is None
    assert det.photo_place(116.40, 39.90, None, None, TH) is None  # no EXIF position: nothing to say


def test_photo_time_outside_the_report_window():
    reported = dt.datetime(2026, 11, 20, 10, 0)
    uploaded = dt.datetime(2026, 11, 20, 10, 30)
    assert det.parse_exif_time("2026:11:20 09:58:00") == dt.datetime(2026, 11, 20, 9, 58)
    assert det.photo_time(dt.datetime(2026, 11, 20, 9, 58), reported, uploaded, TH) is None
    # taken 3 days before the report: 72 h > 24 h
    old = det.photo_time(dt.datetime(2026, 11, 17, 10, 0), reported, uploaded, TH)
    assert old["summary"] == "照片拍摄于上报前 72.0 小时（允许 24 小时）"
    # taken 20 minutes after it was uploaded (10:50 > 10:30 + 10 min)
    late = det.photo_time(dt.datetime(2026, 11, 20, 10, 50), reported, uploaded, TH)
    assert late["summary"] == "照片拍摄时间晚于上传时间 20 分钟"
    assert det.parse_exif_time("not a time") is None


def test_impossible_speed_between_a_report_and_a_check_in():
    t = dt.datetime(2026, 11, 20, 10, 0)
    points = [
        det.Position(1, t, 116.40, 39.90, "上报案件 A"),
        # 0.05° of latitude = 5 559.75 m in 5 min = 66.7 km/h: possible
        det.Position(1, t + dt.timedelta(minutes=5), 116.40, 39.95, "上班签到"),
        # another 5 559.75 m in 1 min = 333.6 km/h: impossible
        det.Position(1, t + dt.timedelta(minutes=6), 116.40, 40.00, "上报案件 B"),
        # 500 m in no time: positioning error, below the 1 km floor
        det.Position(1, t + dt.timedelta(minutes=6), 116.40, 40.0045, "下班签退"),
        # another person far away at the same time: never compared with person 1
        det.Position(2, t, 117.00, 39.00, "上班签到"),
    ]
    found = det.impossible_speeds(points, TH)
    assert [(f["person"], f["from"].what, f["to"].what, f["distance_m"], f["kmh"]) for f in found] == [
        (1, "上班签到", "上报案件 B", 5560, 333.6)]


def test_three_closures_of_one_matter_at_one_place_in_a_month():
    def c(i, month, day, place="G1", matter="06010"):
        return det.Closure(i, f"N{i}", "110101001", matter, place, dt.datetime(2026, month, day, 10))

    closures = [c(1, 11, 2), c(2, 11, 9), c(3, 11, 16),  # three in November at G1: flagged
                c(4, 12, 1),  # December: another month
                c(5, 11, 3, place="G2"), c(6, 11, 4, place="G2"),  # two at G2: below three
                c(7, 11, 5, matter="09006")]  # another matter at G1
    found = det.repeat_closures(closures, TH)
    assert [(g["month"], g["place"], g["cases"]) for g in found] == [("2026-11", "G1", ["N1", "N2", "N3"])]


def test_closed_then_reopened_within_72_hours():
    t = dt.datetime(2026, 11, 20, 10)
    events = [(1, "close", t), (1, "reopen", t + dt.timedelta(hours=23)),  # 23 h: flagged
              (2, "close", t), (2, "reopen", t + dt.timedelta(hours=80)),  # 80 h: not
              (3, "close", t)]  # never reopened
    found = det.quick_reopens(events, TH)
    assert [(r["case"], r["hours"]) for r in found] == [(1, 23.0)]
