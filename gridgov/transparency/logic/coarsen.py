"""Positions published on the public pages are coarsened (公开信息): a case's point is replaced by the centre of
the ~100 m cell it lies in, so a published point never shows the doorway it was reported at. Pure Python.

Cells are fixed in degrees from the origin (0, 0): ``CELL_M`` metres of latitude, and the same metres of longitude
at the cell row's own latitude — every point of one cell comes out as the same centre, whatever its order.
"""

import math

CELL_M = 100.0
M_PER_DEG_LAT = 111_320.0


def cell_centre(lon: float, lat: float, cell_m: float = CELL_M) -> tuple[float, float]:
    """The centre (lon, lat) of the cell ``(lon, lat)`` lies in, rounded to 6 decimals."""
    dlat = cell_m / M_PER_DEG_LAT
    row = math.floor(lat / dlat)
    clat = (row + 0.5) * dlat
    dlon = cell_m / (M_PER_DEG_LAT * math.cos(math.radians(clat)))
    col = math.floor(lon / dlon)
    return round((col + 0.5) * dlon, 6), round(clat, 6)
