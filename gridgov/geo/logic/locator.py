"""Fast, exact in-memory point locator for a layer of non-overlapping polygons.

Pure Python + numpy + shapely (no Django).  Typical use::

    loc = Locator(polygons, keys, lattice=(origin_lon, origin_lat, step_lon, step_lat))
    i = loc.locate(116.40, 39.90)          # index into ``polygons`` or -1
    idx = loc.locate_many(lons, lats)      # int64 array, -1 where outside

Semantics (exact, no approximation):

* a point strictly inside a polygon gives that polygon;
* a point on the boundary of one or several polygons (shared edge, shared
  vertex, outer boundary) gives, among the polygons whose *closed* area contains
  it (``polygon.intersects(Point)``), the one with the smallest key;
* a point in no polygon (outside, in a hole, in a concave notch) gives -1;
* NaN or infinite coordinates give -1 (for ``locate`` and ``locate_many``).

So ``locate``, ``locate_many`` and the brute-force reference
``min(key for poly in polygons if poly.intersects(Point(x, y)))`` always agree.
Polygons are expected to be valid with positive area (zero-area or invalid
geometries follow GEOS's predicates and may not honour the rule above).

How it works: a uniform raster of buckets covers the layer's bounds (aligned to
the lattice hint when given, ``2**levels`` buckets per lattice step).  Each
bucket is either *pure* (its closed box is covered by exactly one polygon whose
interior meets it: the answer is that polygon), *empty* (no polygon interior
meets it: -1), or *mixed* (a short list of candidates sorted by key, tested
with GEOS prepared point-in-polygon, first hit wins).  The raster is built
coarse-to-fine with shapely's vectorised predicates, refining only mixed
buckets.  Points closer than a rounding margin to a bucket edge (where a
neighbouring polygon may touch them) take an exact path over the candidates of
the 3 x 3 neighbouring buckets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import shapely
from shapely import lib as _shapely_lib

__all__ = ["Locator"]

_ixy = getattr(_shapely_lib, "intersects_xy_scalar", None)
if _ixy is None:  # pragma: no cover - older shapely without the scalar fast path

    def _ixy(geom, x, y):
        return bool(shapely.intersects_xy(geom, x, y))


_MAX_FINE_BUCKETS = 24_000_000  # ~100 MB of int32 codes at most
_MAX_COARSE_BUCKETS = 4_000_000


def _rectangles(geoms: np.ndarray) -> np.ndarray:
    """Mask of polygons that are exactly axis-aligned rectangles (5-point ring,
    no holes, topologically equal to their envelope)."""
    is_rect = np.zeros(len(geoms), dtype=bool)
    if len(geoms) == 0:
        return is_rect
    cand = (
        (shapely.get_type_id(geoms) == 3)
        & (shapely.get_num_interior_rings(geoms) == 0)
        & (shapely.get_num_coordinates(geoms) == 5)
    )
    sel = np.flatnonzero(cand)
    if len(sel):
        g = geoms[sel]
        is_rect[sel] = shapely.equals(g, shapely.envelope(g)) & (shapely.area(g) > 0)
    return is_rect


class _Pairs:
    """Exact polygon/bucket predicates, with pure arithmetic for rectangles."""

    def __init__(self, geoms: np.ndarray, is_rect: np.ndarray, bounds: np.ndarray):
        self.geoms = geoms
        self.is_rect = is_rect
        self.bounds = bounds

    def meets(self, cand, bx0, by0, bx1, by1, known_intersects: bool = False):
        """Does polygon ``cand`` meet the open box (interiors intersect)?"""
        r = self.is_rect[cand]
        out = np.empty(len(cand), dtype=bool)
        rs = np.flatnonzero(r)
        b = self.bounds[cand[rs]]
        out[rs] = (
            (bx0[rs] < b[:, 2]) & (bx1[rs] > b[:, 0]) & (by0[rs] < b[:, 3]) & (by1[rs] > b[:, 1])
        )
        gs = np.flatnonzero(~r)
        if len(gs):
            c = cand[gs]
            b = self.bounds[c]
            x0, y0, x1, y1 = bx0[gs], by0[gs], bx1[gs], by1[gs]
            # bbox cannot reach the open box -> no; centre of the box in P -> yes
            res = (x0 < b[:, 2]) & (x1 > b[:, 0]) & (y0 < b[:, 3]) & (y1 > b[:, 1])
            s = np.flatnonzero(res)
            cen = shapely.intersects_xy(self.geoms[c[s]], (x0[s] + x1[s]) * 0.5, (y0[s] + y1[s]) * 0.5)
            s = s[~cen]  # undecided: exact GEOS predicates
            if len(s):
                g = self.geoms[c[s]]
                boxes = shapely.box(x0[s], y0[s], x1[s], y1[s])
                hit = np.ones(len(s), dtype=bool) if known_intersects else shapely.intersects(g, boxes)
                h = np.flatnonzero(hit)
                if len(h):
                    hit[h] = ~shapely.touches(g[h], boxes[h])
                res[s] = hit
            out[gs] = res
        return out

    def covers(self, cand, bx0, by0, bx1, by1):
        """Does polygon ``cand`` cover the closed box?"""
        r = self.is_rect[cand]
        out = np.empty(len(cand), dtype=bool)
        rs = np.flatnonzero(r)
        b = self.bounds[cand[rs]]
        out[rs] = (
            (b[:, 0] <= bx0[rs]) & (bx1[rs] <= b[:, 2]) & (b[:, 1] <= by0[rs]) & (by1[rs] <= b[:, 3])
        )
        gs = np.flatnonzero(~r)
        if len(gs):
            g = self.geoms[cand[gs]]
            x0, y0, x1, y1 = bx0[gs], by0[gs], bx1[gs], by1[gs]
            # every corner must be in P (cheap, exact necessary condition)
            res = shapely.intersects_xy(g, x0, y0)
            for cx, cy in ((x1, y0), (x1, y1), (x0, y1)):
                s = np.flatnonzero(res)
                res[s] = shapely.intersects_xy(g[s], cx[s], cy[s])
            s = np.flatnonzero(res)
            if len(s):
                res[s] = shapely.covers(g[s], shapely.box(x0[s], y0[s], x1[s], y1[s]))
            out[gs] = res
        return out


class Locator:
    """Exact point-in-polygon locator; see the module docstring for semantics."""

    def __init__(
        self,
        polygons: Sequence,
        keys: Sequence[str],
        lattice: tuple[float, float, float, float] | None = None,
        *,
        levels: int = 2,
    ):
        t_start = time.perf_counter()
        geoms = np.empty(len(polygons), dtype=object)
        geoms[:] = list(polygons)
        keys = list(keys)
        if len(keys) != len(geoms):
            raise ValueError(f"{len(geoms)} polygons but {len(keys)} keys")
        n = len(geoms)
        self._n = n
        self.keys = keys
        self.polygons = geoms
        if n:
            bad = ~shapely.is_missing(geoms) & ~np.isin(shapely.get_type_id(geoms), (3, 6))
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise TypeError(f"polygon {k} ({keys[k]!r}) is a {geoms[k].geom_type}, not a (Multi)Polygon")
        # rank = position in key order; candidates are kept in rank order
        order = np.array(sorted(range(n), key=keys.__getitem__), dtype=np.int64)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        self._rank = rank.tolist()
        usable = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)) if n else np.empty(0, int)
        shapely.prepare(geoms[usable])
        self.stats: dict = {"grids": n}

        if len(usable) == 0:
            self._setup_empty()
        else:
            self._build(geoms, rank, order, usable, lattice, levels)
        self.stats["build_seconds"] = time.perf_counter() - t_start
        self.locate = self._make_locate()  # closure fast path shadows the method

    # ------------------------------------------------------------------ build
    def _setup_empty(self) -> None:
        self._x0 = self._y0 = 0.0
        self._sx = self._sy = 1.0
        self._nx = self._ny = 0
        self._eps = 0.25
        self._codes = np.full(0, -1, dtype=np.int32)
        self._moff = np.zeros(1, dtype=np.int32)
        self._midx = np.zeros(0, dtype=np.int32)
        self._mgeom = np.empty(0, dtype=object)
        self.stats.update(buckets=0, pure_share=0.0, empty_share=1.0, mixed_share=0.0, avg_candidates=0.0)

    def _build(self, geoms, rank, order, usable, lattice, levels) -> None:
        minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(geoms[usable]))
        if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
            raise ValueError("polygon coordinates must be finite")
        n_use = len(usable)
        cw = ch = None
        if lattice is not None:
            ox, oy, sx, sy = (float(v) for v in lattice)
            if not (all(math.isfinite(v) for v in (ox, oy, sx, sy)) and sx > 0 and sy > 0):
                raise ValueError(f"bad lattice hint {lattice!r}")
            cw, ch = sx, sy
            # too fine a hint for the layer: use a multiple of the step (still aligned)
            while ((maxx - minx) / cw + 3) * ((maxy - miny) / ch + 3) > _MAX_COARSE_BUCKETS:
                cw, ch = cw * 2, ch * 2
        else:
            w = max(maxx - minx, 0.0)
            h = max(maxy - miny, 0.0)
            size = max(w, h, 1e-9)
            # about one coarse bucket per polygon, square-ish buckets
            area = max(w, size * 1e-3) * max(h, size * 1e-3)
            c = math.sqrt(area / max(n_use, 1))
            cw = ch = c
            ox, oy = minx, miny
        # coarse bucket columns K0..K0+nxc-1, with one bucket of padding all round
        k0x = math.floor((minx - ox) / cw) - 1
        k0y = math.floor((miny - oy) / ch) - 1
        nxc = math.floor((maxx - ox) / cw) + 2 - k0x
        nyc = math.floor((maxy - oy) / ch) + 2 - k0y
        while levels > 0 and nxc * nyc * 4**levels > _MAX_FINE_BUCKETS:
            levels -= 1
        f = 1 << levels
        nx, ny = nxc * f, nyc * f
        # bucket edges: coarse edges exactly at origin + k * step (as lattice lines
        # are), fine edges interpolated; all levels use sub-samples of these arrays
        cxe = ox + np.arange(k0x, k0x + nxc + 1, dtype=np.float64) * cw
        cye = oy + np.arange(k0y, k0y + nyc + 1, dtype=np.float64) * ch
        xe = np.empty(nx + 1)
        ye = np.empty(ny + 1)
        sub = np.arange(f) / f
        xe[:-1] = (cxe[:-1, None] + sub[None, :] * np.diff(cxe)[:, None]).ravel()
        ye[:-1] = (cye[:-1, None] + sub[None, :] * np.diff(cye)[:, None]).ravel()
        xe[-1], ye[-1] = cxe[-1], cye[-1]

        tree = shapely.STRtree(geoms[usable])
        bounds = np.zeros((len(geoms), 4))
        bounds[usable] = shapely.bounds(geoms[usable])
        is_rect = np.zeros(len(geoms), dtype=bool)
        is_rect[usable] = _rectangles(geoms[usable])
        pairs = _Pairs(geoms, is_rect, bounds)
        self.stats["rectangles"] = int(is_rect.sum())
        # ---- level 0: all coarse buckets
        ci, cj = np.meshgrid(np.arange(nxc), np.arange(nyc))
        ci, cj = ci.ravel(), cj.ravel()
        boxes = shapely.box(xe[ci * f], ye[cj * f], xe[(ci + 1) * f], ye[(cj + 1) * f])
        b, g = tree.query(boxes, predicate="intersects")
        del boxes
        g = usable[g]
        bj, bi = np.divmod(b, nxc)
        ok = pairs.meets(g, xe[bi * f], ye[bj * f], xe[(bi + 1) * f], ye[(bj + 1) * f], known_intersects=True)
        cell, cand = b[ok], g[ok]  # flat bucket index at level 0 (j * nxc + i), polygon index
        lx, ly = nxc, nyc
        codes = self._classify(pairs, cell, cand, lx * ly, lx, xe, ye, f)
        for lev in range(1, levels + 1):
            step = f >> lev  # fine edges per bucket of this level
            # children of mixed buckets: parent (pj, pi) -> (2pj+dy, 2pi+dx)
            sel = codes[cell] < -1
            pcell, pcand = cell[sel], cand[sel]
            pj, pi = np.divmod(pcell, lx)
            nlx, nly = lx * 2, ly * 2
            cj_ = np.concatenate([2 * pj + dy for dy in (0, 1) for _dx in (0, 1)])
            ci_ = np.concatenate([2 * pi + dx for _dy in (0, 1) for dx in (0, 1)])
            ccand = np.tile(pcand, 4)
            ok = pairs.meets(
                ccand, xe[ci_ * step], ye[cj_ * step], xe[(ci_ + 1) * step], ye[(cj_ + 1) * step]
            )
            ccell = cj_[ok] * nlx + ci_[ok]
            ccand = ccand[ok]
            # inherit parents' codes, overwrite the refined children
            codes = np.repeat(np.repeat(codes.reshape(ly, lx), 2, axis=0), 2, axis=1).ravel()
            children = np.concatenate([(2 * pj + dy) * nlx + 2 * pi + dx for dy in (0, 1) for dx in (0, 1)])
            codes[children] = -1  # children of mixed parents with no candidate are empty
            lx, ly = nlx, nly
            sub_codes = self._classify(pairs, ccell, ccand, lx * ly, lx, xe, ye, step)
            touched = np.unique(ccell)
            codes[touched] = sub_codes[touched]
            cell, cand = ccell, ccand
        # mixed buckets of the finest level -> CSR candidate lists in key order
        mixed = np.flatnonzero(codes < -1)
        sel = codes[cell] < -1
        cell, cand = cell[sel], cand[sel]
        o = np.lexsort((rank[cand], cell))
        cell, cand = cell[o], cand[o]
        ptr = np.searchsorted(mixed, cell)
        counts = np.bincount(ptr, minlength=len(mixed))
        moff = np.zeros(len(mixed) + 1, dtype=np.int64)
        np.cumsum(counts, out=moff[1:])
        if len(mixed) and counts.min() == 0:  # cannot happen: a mixed bucket has candidates
            raise AssertionError("mixed bucket without candidates")
        codes = codes.astype(np.int64)
        codes[mixed] = -2 - np.arange(len(mixed))
        if len(mixed) + 2 >= 2**31 or len(cand) >= 2**31:  # pragma: no cover
            raise ValueError("layer too large for int32 index")
        self._codes = codes.astype(np.int32)
        self._moff = moff.astype(np.int32)
        self._midx = cand.astype(np.int32)
        self._mgeom = geoms[cand]
        self._x0, self._y0 = float(xe[0]), float(ye[0])
        self._sx = f / cw
        self._sy = f / ch
        self._nx, self._ny = nx, ny
        # rounding margin (in bucket units) around bucket edges; beyond it the
        # float bucket index is certainly right and the open-box logic applies
        big = max(abs(minx), abs(maxx), abs(miny), abs(maxy), abs(xe[0]), abs(xe[-1]), abs(ye[0]), abs(ye[-1]))
        ulp = math.ulp(big)
        self._eps = max(1e-9, 64 * ulp * max(self._sx, self._sy))
        if self._eps > 0.05:  # pragma: no cover - absurdly tiny buckets
            self._eps = 0.05
        total = nx * ny
        self.stats.update(
            buckets=total,
            levels=levels,
            bucket_size=(cw / f, ch / f),
            pure_share=float(np.count_nonzero(self._codes >= 0)) / total,
            empty_share=float(np.count_nonzero(self._codes == -1)) / total,
            mixed_share=len(mixed) / total,
            avg_candidates=len(cand) / max(len(mixed), 1),
        )

    @staticmethod
    def _classify(pairs: _Pairs, cell, cand, ncells, lx, xe, ye, step) -> np.ndarray:
        """Codes for buckets given their (bucket, candidate) pairs: the polygon
        index if pure, -1 if empty, -2 if mixed."""
        count = np.bincount(cell, minlength=ncells)
        codes = np.where(count == 0, -1, -2).astype(np.int64)
        single = count[cell] == 1
        sc, sg = cell[single], cand[single]
        if len(sc):
            j, i = np.divmod(sc, lx)
            cov = pairs.covers(sg, xe[i * step], ye[j * step], xe[(i + 1) * step], ye[(j + 1) * step])
            codes[sc[cov]] = sg[cov]
        return codes

    # ----------------------------------------------------------------- lookup
    def _exact(self, x: float, y: float, i: int, j: int) -> int:
        """Point near a bucket edge: test all candidates of the 3 x 3 neighbourhood."""
        nx, ny = self._nx, self._ny
        codes, moff, midx = self._codes, self._moff, self._midx
        cands = set()
        for jj in range(max(j - 1, 0), min(j + 2, ny)):
            for ii in range(max(i - 1, 0), min(i + 2, nx)):
                v = int(codes[jj * nx + ii])
                if v >= 0:
                    cands.add(v)
                elif v < -1:
                    p = -2 - v
                    cands.update(midx[moff[p] : moff[p + 1]].tolist())
        geoms = self.polygons
        for c in sorted(cands, key=self._rank.__getitem__):
            if _ixy(geoms[c], x, y):
                return c
        return -1

    def _make_locate(self):
        x0, y0, sx, sy = self._x0, self._y0, self._sx, self._sy
        wx, wy, nx = float(self._nx), float(self._ny), self._nx
        lo = self._eps
        hi = 1.0 - self._eps
        codes = memoryview(self._codes)
        moff = memoryview(self._moff)
        midx = memoryview(self._midx)
        mgeom = self._mgeom.tolist()
        exact = self._exact
        ixy = _ixy

        def locate(lon: float, lat: float) -> int:
            """Index of the polygon containing (lon, lat) (closed; smallest key on
            shared boundaries), or -1.  NaN/inf -> -1."""
            fx = (lon - x0) * sx
            fy = (lat - y0) * sy
            if 0.0 <= fx < wx and 0.0 <= fy < wy:
                i = int(fx)
                j = int(fy)
                dx = fx - i
                dy = fy - j
                if lo < dx < hi and lo < dy < hi:
                    v = codes[j * nx + i]
                    if v >= -1:
                        return v
                    p = -2 - v
                    k = moff[p]
                    end = moff[p + 1]
                    while k < end:
                        if ixy(mgeom[k], lon, lat):
                            return midx[k]
                        k += 1
                    return -1
                return exact(float(lon), float(lat), i, j)
            return -1

        return locate

    def locate(self, lon: float, lat: float) -> int:  # replaced per instance by a closure
        """Index of the polygon containing (lon, lat), or -1 (see module docstring)."""
        return self._make_locate()(lon, lat)

    def locate_many(self, lons, lats) -> np.ndarray:
        """Vectorised :meth:`locate`: int64 array (broadcast shape of the inputs)."""
        x, y = np.broadcast_arrays(np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64))
        shape = x.shape
        x = x.ravel()
        y = y.ravel()
        out = np.full(x.shape[0], -1, dtype=np.int64)
        if self._nx == 0 or x.shape[0] == 0:
            return out.reshape(shape)
        with np.errstate(invalid="ignore", over="ignore"):
            fx = (x - self._x0) * self._sx
            fy = (y - self._y0) * self._sy
            inside = (fx >= 0.0) & (fx < self._nx) & (fy >= 0.0) & (fy < self._ny)
        idx = np.flatnonzero(inside)
        if len(idx) == 0:
            return out.reshape(shape)
        fx = fx[idx]
        fy = fy[idx]
        i = fx.astype(np.int64)
        j = fy.astype(np.int64)
        fx -= i
        fy -= j
        lo, hi = self._eps, 1.0 - self._eps
        near = (fx <= lo) | (fx >= hi) | (fy <= lo) | (fy >= hi)
        j *= self._nx
        j += i
        v = self._codes[j].astype(np.int64)
        if near.any():
            nidx = np.flatnonzero(near)
            v[nidx] = -1  # resolved below
            ni, nj = i[nidx].tolist(), (j[nidx] // self._nx).tolist()
            pts = idx[nidx]
            px, py = x[pts].tolist(), y[pts].tolist()
            exact = self._exact
            out[pts] = [exact(a, b, c, d) for a, b, c, d in zip(px, py, ni, nj, strict=True)]
            keep = ~near
            idx, v = idx[keep], v[keep]
        out[idx] = v  # pure and empty buckets are final; mixed fixed below
        m = np.flatnonzero(v < -1)
        if len(m):
            pts = idx[m]
            p = -2 - v[m]
            start = self._moff[p].astype(np.int64)
            cnt = self._moff[p + 1].astype(np.int64) - start
            out[pts] = -1
            px, py = x[pts], y[pts]
            r = 0
            while len(pts):
                g = start + r
                hit = shapely.intersects_xy(self._mgeom[g], px, py)
                out[pts[hit]] = self._midx[g[hit]]
                rest = ~hit & (cnt > r + 1)
                pts, px, py, start, cnt = pts[rest], px[rest], py[rest], start[rest], cnt[rest]
                r += 1
        return out.reshape(shape)

    def __len__(self) -> int:
        return self._n

    @property
    def nbytes(self) -> int:
        """Approximate memory of the index arrays (not counting the polygons)."""
        return int(
            self._codes.nbytes + self._moff.nbytes + self._midx.nbytes + self._mgeom.nbytes * 2
        )

    def __repr__(self) -> str:
        return f"<Locator {self._n} polygons, {self.stats.get('buckets', 0):,} buckets>"
