"""Local metric projection for district-sized areas.

The projection is an ellipsoidal *sinusoidal* projection centred on
``(lon0, lat0)`` on the WGS 84 ellipsoid::

    y = M(φm) · (φ − φ0)          (meridian arc, midpoint rule; φm = (φ + φ0) / 2)
    x = N(φ) · cos φ · (λ − λ0)

where ``M`` and ``N`` are the meridional and prime-vertical radii of
curvature.  The Jacobian determinant equals ``M(φ) · N(φ) cos φ`` (to second
order in φ − φ0), i.e. the projection is equal-area, so areas are accurate to
far better than 0.01 % over a 30 km district.  Distances are accurate to well
under 0.1 % near the centre.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)
_GAUSS3 = ((-math.sqrt(0.6), 5 / 9), (0.0, 8 / 9), (math.sqrt(0.6), 5 / 9))


def _radii(lat_rad):
    """Return (meridional radius M, prime-vertical radius N) in metres."""
    s = np.sin(lat_rad)
    w = 1.0 - WGS84_E2 * s * s
    n = WGS84_A / np.sqrt(w)
    m = WGS84_A * (1.0 - WGS84_E2) / (w * np.sqrt(w))
    return m, n


def metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and of latitude at latitude ``lat``."""
    phi = math.radians(lat)
    m, n = _radii(phi)
    return float(n * math.cos(phi) * math.pi / 180.0), float(m * math.pi / 180.0)


class LocalProjection:
    """Equal-area local projection between lon/lat degrees and metres."""

    def __init__(self, lon0: float, lat0: float):
        if not (math.isfinite(lon0) and math.isfinite(lat0)) or abs(lat0) >= 89.0:
            raise ValueError(f"invalid projection centre ({lon0}, {lat0})")
        self.lon0 = float(lon0)
        self.lat0 = float(lat0)
        self._phi0 = math.radians(self.lat0)
        self._m0 = float(_radii(self._phi0)[0])

    def __repr__(self) -> str:
        return f"LocalProjection({self.lon0!r}, {self.lat0!r})"

    @classmethod
    def for_geometry(cls, geom: BaseGeometry) -> LocalProjection:
        """Projection centred on the centre of ``geom``'s bounding box."""
        if geom is None or geom.is_empty:
            raise ValueError("cannot centre a projection on an empty geometry")
        minx, miny, maxx, maxy = geom.bounds
        return cls((minx + maxx) / 2.0, (miny + maxy) / 2.0)

    # -- coordinate arrays ------------------------------------------------
    def forward(self, coords: np.ndarray) -> np.ndarray:
        """Project an (N, 2) array of lon/lat degrees to metres."""
        coords = np.asarray(coords, dtype=float)
        phi = np.radians(coords[:, 1])
        dphi = phi - self._phi0
        m_mid, _ = _radii(self._phi0 + dphi / 2.0)
        _, n = _radii(phi)
        x = n * np.cos(phi) * np.radians(coords[:, 0] - self.lon0)
        y = m_mid * dphi
        return np.column_stack([x, y])

    def inverse(self, coords: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`forward`: (N, 2) metres to lon/lat degrees."""
        coords = np.asarray(coords, dtype=float)
        x, y = coords[:, 0], coords[:, 1]
        dphi = y / self._m0
        for _ in range(6):  # fixed-point iteration; converges to ~1e-16 rad
            m_mid, _ = _radii(self._phi0 + dphi / 2.0)
            dphi = y / m_mid
        phi = self._phi0 + dphi
        _, n = _radii(phi)
        lon = self.lon0 + np.degrees(x / (n * np.cos(phi)))
        return np.column_stack([lon, np.degrees(phi)])

    # -- geometries -------------------------------------------------------
    def to_metres(self, geom):
        """Project a shapely geometry (or array of geometries) to metres."""
        return shapely.transform(geom, self.forward)

    def to_lonlat(self, geom):
        """Unproject a shapely geometry (or array of geometries) to lon/lat."""
        return shapely.transform(geom, self.inverse)

    def _authalic(self, phi: np.ndarray) -> np.ndarray:
        """F(φ) = ∫ M·N·cos φ' dφ' from φ0 to φ (3-point Gauss-Legendre)."""
        half = (phi - self._phi0) / 2.0
        total = np.zeros_like(phi)
        for x, w in _GAUSS3:
            t = self._phi0 + half * (1.0 + x)
            m, n = _radii(t)
            total += w * m * n * np.cos(t)
        return half * total

    def area_m2(self, geom):
        """Ellipsoidal area in m² of polygonal geometries (float or array).

        Edges are taken as straight lines in lon/lat, and the area is the
        line integral ∮ F(φ) dλ (Green's theorem) evaluated with Simpson's
        rule per edge.  Unlike the area of the projected polygon this is
        exactly additive: splitting a polygon along straight lon/lat cuts
        gives pieces whose areas sum to the whole to ~1e-12.  Non-polygonal
        parts contribute 0.
        """
        arr = np.asarray(geom, dtype=object)
        scalar = arr.ndim == 0
        arr = np.atleast_1d(arr)
        result = np.zeros(len(arr))
        parts, part_of = shapely.get_parts(arr, return_index=True)
        is_poly = shapely.get_type_id(parts) == 3
        parts, part_of = parts[is_poly], part_of[is_poly]
        if len(parts):
            rings, ring_of = shapely.get_rings(parts, return_index=True)
            if len(rings):
                exterior = np.r_[True, ring_of[1:] != ring_of[:-1]]
                xy, pt_ring = shapely.get_coordinates(rings, return_index=True)
                lam = np.radians(xy[:, 0] - self.lon0)
                phi = np.radians(xy[:, 1])
                f = self._authalic(phi)
                same = pt_ring[1:] == pt_ring[:-1]
                f_mid = self._authalic((phi[1:] + phi[:-1]) / 2.0)
                edge = (lam[1:] - lam[:-1]) * (f[1:] + 4.0 * f_mid + f[:-1]) / 6.0
                signed = -np.bincount(pt_ring[:-1][same], weights=edge[same], minlength=len(rings))
                ring_area = np.abs(signed) * np.where(exterior, 1.0, -1.0)
                result += np.bincount(part_of[ring_of], weights=ring_area, minlength=len(arr))
        return float(result[0]) if scalar else result
