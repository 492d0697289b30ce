"""The address register's pure parts: an address's text, a building's address split into road and number, the
distance and search box of the nearest address."""

import pytest

from gridgov.addresses.logic import address_text, box, distance_m


def test_address_text():
    assert address_text("door", "多福巷", "12", "3号楼", "2单元", "") == "多福巷12号 3号楼 2单元"
    assert address_text("door", "东四北大街", "107-1号", "", "", "") == "东四北大街107-1号"
    assert address_text("poi", "多福巷", "1", "", "", "社区卫生服务站") == "社区卫生服务站（多福巷1号）"
    assert address_text("poi", "", "", "", "", "便民菜店") == "便民菜店"


def test_distance_and_box():
    # one minute of latitude is one nautical mile, 1,852 m (to within the sphere's 0.5 %)
    assert distance_m(116.4, 39.9, 116.4, 39.9 + 1 / 60) == pytest.approx(1852, rel=0.005)
    x0, y0, x1, y1 = box(116.4, 39.9, 150)
    assert distance_m(116.4, 39.9, 116.4, y1) == pytest.approx(150, rel=1e-6)
    assert distance_m(116.4, 39.9, x1, 39.9) == pytest.approx(150, rel=1e-3)
