"""公开信息: the sanitiser of published descriptions and the coarsening of published positions (typed by hand)."""

import math

from gridgov.transparency.logic.coarsen import cell_centre
from gridgov.transparency.logic.sanitise import sanitise


def test_phones_id_numbers_long_numbers_and_mail_are_removed():
    cases = {
        "联系13912345678": "联系***",
        "电话 139 1234 5678 请回电": "电话 *** 请回电",
        "手机+86 139-1234-5678": "手机***",
        "座机010-65123456": "座机***",
        "座机（010）6512-3456": "座机***",
        "身份证110101199003071234": "身份证***",
        "身份证11010119900307123X号": "身份证***号",
        "旧证110101900307123": "旧证***",
        "卡号6222 0212 3456 7890": "卡号***",
        "邮箱 zhang.san@example.com 联系": "邮箱 *** 联系",
    }
    assert {text: sanitise(text) for text in cases} == cases


def test_ordinary_text_and_short_numbers_stay():
    text = "东华门大街12号楼3单元门口井盖缺失，约2米长的裂缝，已持续5天"
    assert sanitise(text) == text


def test_the_cases_own_names_are_removed_but_not_a_lone_surname():
    assert sanitise("我叫欧阳娜娜，住在张家，欧阳娜娜家门口", ["欧阳娜娜", "张"]) == "我叫***，住在张家，***家门口"


def test_points_of_one_cell_share_its_centre_within_about_71_metres():
    a = cell_centre(116.40321, 39.91502)
    b = cell_centre(116.40322, 39.91503)
    assert a == b
    dlat = 100 / 111_320
    assert math.isclose(a[1], (math.floor(39.91502 / dlat) + 0.5) * dlat, abs_tol=1e-6)
    # the centre is at most half a cell's diagonal away (≈ 71 m), and not the point itself
    dy = (a[1] - 39.91502) * 111_320
    dx = (a[0] - 116.40321) * 111_320 * math.cos(math.radians(a[1]))
    assert 0 < math.hypot(dx, dy) <= 71
