"""The navigation in sections: the daily work as links, the rest as menus (context.sections), typed by hand."""

from gridgov.context import section_of, sections


def test_a_page_falls_in_the_section_of_its_longest_prefix():
    assert section_of("/cases/") == "日常办理"
    assert section_of("/cases/field/patrol/") == "日常办理"
    assert section_of("/oversight/") == "监督考评"
    assert section_of("/oversight/city/") == "统计分析"  # longer than /oversight/
    assert section_of("/map/changes/") == "网格与数据"
    assert section_of("/somewhere-new/") == "其他"


def test_sections_keep_the_order_and_mark_where_one_is():
    nav = [("案件受理", "/cases/", False), ("网格地图", "/map/", True), ("考评", "/assess/", False),
           ("管理后台", "/admin/", False), ("基础数据", "/basedata/", False), ("新页面", "/new/", False)]
    assert sections(nav) == [
        ("日常办理", [("案件受理", "/cases/", False)], False),
        ("监督考评", [("考评", "/assess/", False)], False),
        ("网格与数据", [("网格地图", "/map/", True), ("基础数据", "/basedata/", False)], True),
        ("系统", [("管理后台", "/admin/", False)], False),
        ("其他", [("新页面", "/new/", False)], False),
    ]
