"""The 15-minute walk rule (services/logic/walk.py), typed by hand: 5 km/h × 15 min = 1,250 m of path; path = 1.25 ×
straight line; so 1,000 m straight-line. Metres per degree of latitude on the haversine sphere: 111,194.93."""

from types import SimpleNamespace

from gridgov.services.logic.walk import WALK_PATH_M, WALK_RADIUS_M, walk_minutes, within_walk


def test_the_rule_in_metres():
    assert (WALK_PATH_M, WALK_RADIUS_M) == (1250.0, 1000.0)


def test_walking_minutes_round_up():
    # 1,000 m line → 1,250 m path → 15 min; 300 m → 375 m → 4.5 → 5; 1 m → 1; 1,001 m → 15.01 → 16
    assert [walk_minutes(d) for d in (1000, 300, 1, 1001, 0)] == [15, 5, 1, 16, 1]


def test_within_walk_keeps_the_near_ones_nearest_first():
    here = (116.4, 39.9)
    places = [SimpleNamespace(name=n, lon=116.4, lat=39.9 + d)
              for n, d in [("far", 0.0095), ("edge", 0.0089), ("near", 0.0027), ("south", -0.0081)]]
    found = [(p.name, round(d)) for p, d in within_walk(*here, places)]
    assert found == [("near", 300), ("south", 901), ("edge", 990)]
