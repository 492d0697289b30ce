"""Division by workload (issue 15 item 8): unit grids as atoms, N contiguous parts of near-equal load.

Each lattice below is drawn by hand; the expected parts are the only contiguous divisions with that balance
(worked out on paper, not by running the code), written as cell names r<row>c<col>."""

import pytest
from shapely.geometry import box

from gridgov.geo.logic.overlap import largest, overlap_shares, points_in
from gridgov.geo.logic.workload import Atom, LoadWeights, divide, unit_load


def lattice(loads: list[list[float]]):
    """Atoms r<row>c<col> (row 0 is the north row) with 4-neighbour adjacency, in serial order."""
    atoms, neighbours = [], {}
    for r, row in enumerate(loads):
        for c, w in enumerate(row):
            name = f"r{r}c{c}"
            atoms.append(Atom(name, w, float(c), float(-r)))
            neighbours[name] = [f"r{r + dr}c{c + dc}" for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0))
                                if 0 <= r + dr < len(loads) and 0 <= c + dc < len(row)]
    return atoms, neighbours


def test_two_people_share_a_two_by_three_block_row_by_row():
    # 4 1 1      the heavy west column cannot be one person's: 8 against 4. The only contiguous halves of 6 are
    # 4 1 1      the rows (any other 6 leaves a cell cut off).
    atoms, nb = lattice([[4, 1, 1], [4, 1, 1]])
    d = divide(atoms, nb, 2)
    assert d.parts == [["r0c0", "r0c1", "r0c2"], ["r1c0", "r1c1", "r1c2"]]
    assert d.loads == [6, 6]
    assert d.spread == 0


def test_three_people_on_a_three_by_three_block_with_a_busy_corner():
    # 9 1 1      total 17: the busy corner alone is 9 — over a third, so it is one person's part on its own;
    # 1 1 1      the other 8 cells (load 8, an L around it) split 4 / 4 into two connected pieces.
    # 1 1 1      Best possible: loads 9, 4, 4 (max 9 can not be lower: the corner is one atom).
    atoms, nb = lattice([[9, 1, 1], [1, 1, 1], [1, 1, 1]])
    d = divide(atoms, nb, 3)
    assert sorted(d.loads) == [4, 4, 9]
    assert ["r0c0"] in d.parts
    assert sorted(len(p) for p in d.parts) == [1, 4, 4]
    for p in d.parts:  # each part is connected
        _assert_connected(p, nb)


def test_a_strip_is_cut_where_the_loads_balance():
    # 5 1 1 1 1 5 → 7 | 7
    atoms, nb = lattice([[5, 1, 1, 1, 1, 5]])
    d = divide(atoms, nb, 2)
    assert d.parts == [["r0c0", "r0c1", "r0c2"], ["r0c3", "r0c4", "r0c5"]]
    assert d.loads == [7, 7]


def test_one_person_takes_everything_and_as_many_people_as_cells_take_one_each():
    atoms, nb = lattice([[1, 2], [3, 4]])
    assert divide(atoms, nb, 1).parts == [["r0c0", "r0c1", "r1c0", "r1c1"]]
    d = divide(atoms, nb, 4)
    assert d.parts == [["r0c0"], ["r0c1"], ["r1c0"], ["r1c1"]] and d.loads == [1, 2, 3, 4]


def test_an_even_block_of_four_by_four_for_four_people_is_four_parts_of_four():
    atoms, nb = lattice([[1] * 4 for _ in range(4)])
    d = divide(atoms, nb, 4)
    assert d.loads == [4, 4, 4, 4]
    for p in d.parts:
        _assert_connected(p, nb)
    assert sorted(a for p in d.parts for a in p) == sorted(a.id for a in atoms)


def test_an_island_is_joined_to_its_nearest_part():
    # two blocks that do not touch (a river between them): still divided, every atom placed
    atoms = [Atom("a", 2, 0, 0), Atom("b", 2, 1, 0), Atom("c", 2, 5, 0), Atom("d", 2, 6, 0)]
    d = divide(atoms, {"a": ["b"], "c": ["d"]}, 2)
    assert d.parts == [["a", "b"], ["c", "d"]] and d.loads == [4, 4]


@pytest.mark.parametrize("n", [0, -1, 5])
def test_fewer_than_one_or_more_people_than_unit_grids_is_refused(n):
    atoms, nb = lattice([[1, 2], [3, 4]])
    with pytest.raises(ValueError):
        divide(atoms, nb, n)


def test_unit_load_weighs_cases_patrol_and_places():
    # 3 cases × 1 + 0.2 km × 10 + 4 places × 0.5 = 7
    assert unit_load(3, 0.2, 4) == pytest.approx(7.0)
    assert unit_load(3, 0.2, 4, LoadWeights(per_case=2, per_patrol_km=0, per_place=1)) == pytest.approx(10.0)


def test_overlap_shares_name_where_each_old_grid_went():
    # old A = [0,2]×[0,1]; new X = [0,1.5]×[0,1], Y = [1.5,3]×[0,1]: A goes 75 % to X, 25 % to Y; old B = [2,3]×[0,1]
    # lies wholly in Y
    old = {"A": box(0, 0, 2, 1), "B": box(2, 0, 3, 1)}
    new = {"X": box(0, 0, 1.5, 1), "Y": box(1.5, 0, 3, 1)}
    shares = overlap_shares(old, new)
    assert shares == {"A": [("X", 0.75), ("Y", 0.25)], "B": [("Y", 1.0)]}
    assert largest(shares) == {"A": "X", "B": "Y"}


def test_points_go_to_the_polygon_holding_them():
    polys = {"X": box(0, 0, 1, 1), "Y": box(1, 0, 2, 1)}
    # inside X, inside Y, on the shared edge (smallest code), outside
    assert points_in([(0.5, 0.5), (1.5, 0.5), (1.0, 0.5), (5, 5)], polys) == ["X", "Y", "X", None]


def _assert_connected(part, nb):
    seen, todo = {part[0]}, [part[0]]
    while todo:
        a = todo.pop()
        for b in nb[a]:
            if b in part and b not in seen:
                seen.add(b)
                todo.append(b)
    assert seen == set(part), part
