"""WGS-84 ⇄ GCJ-02: reference points published with wandergis/coordtransform (and used by hutool's and
coordtransform_rs's tests): wgs84togcj02(116.404, 39.915) = [116.41024449916938, 39.91640428150164];
its gcj02towgs84(116.404, 39.915) = [116.39775550083061, 39.91359571849836] is the usual one-step inverse, which
ours (iterated) must agree with to about 1 m."""

import pytest

from gridgov.geo.basemap_gcj import gcj02_to_wgs84, outside_china, wgs84_to_gcj02


def test_forward_matches_the_published_point():
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)


def test_inverse_is_close_to_the_published_one_step_inverse():
    lon, lat = gcj02_to_wgs84(116.404, 39.915)
    assert lon == pytest.approx(116.39775550083061, abs=1e-5)  # ≈ 1 m
    assert lat == pytest.approx(39.91359571849836, abs=1e-5)


def test_round_trip_is_exact_to_a_centimetre():
    for p in [(116.404, 39.915), (121.4737, 31.2304), (113.2644, 23.1291), (87.6168, 43.8256)]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(*p))
        assert back == pytest.approx(p, abs=1e-7)


def test_the_shift_in_beijing_is_a_few_hundred_metres():
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert 0.005 < lon - 116.404 < 0.007 and 0.001 < lat - 39.915 < 0.002


def test_no_shift_outside_china():
    assert outside_china(2.3522, 48.8566) and outside_china(139.6917, 35.6895)
    assert wgs84_to_gcj02(2.3522, 48.8566) == (2.3522, 48.8566)
    assert gcj02_to_wgs84(139.6917, 35.6895) == (139.6917, 35.6895)
    assert not outside_china(116.404, 39.915)
