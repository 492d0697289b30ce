"""Offline tile archives that gridgov serves itself (intranets): MBTiles and PMTiles v3, read and written.

- MBTiles 1.3: an SQLite file, table ``tiles(zoom_level, tile_column, tile_row, tile_data)`` with rows counted
  bottom-up (TMS), and ``metadata(name, value)``. Opened read-only (``mode=ro``), one short connection per read.
- PMTiles v3: one file with a header, directories and tile data, read with the ``pmtiles`` package (pinned).

``open_archive(path)`` answers for both (by the file's first bytes, not its name); ``info()`` is what
``gridgov tiles info FILE`` prints. ``write_mbtiles`` / ``write_pmtiles`` make small archives (the demo's, the tests').
No Django import.
"""

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from .basemap import tms_row

_PMTILES_TYPES = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp", TileType.MVT: "pbf"}


class ArchiveError(ValueError):
    """Not a tile archive gridgov can read (Chinese message)."""


@dataclass
class Tile:
    data: bytes
    encoding: str = ""  # "gzip" when the archive keeps the tile gzipped (vector tiles): sent as Content-Encoding


@dataclass
class ArchiveInfo:
    format: str  # mbtiles | pmtiles
    tile_format: str  # png | jpg | webp | pbf
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None
    tiles: int
    metadata: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        b = "、".join(f"{v:.6f}" for v in self.bounds) if self.bounds else "未记录"
        return [f"格式：{self.format}", f"瓦片格式：{self.tile_format}", f"级别：{self.min_zoom}～{self.max_zoom}",
                f"范围（西,南,东,北）：{b}", f"瓦片数：{self.tiles}",
                f"名称：{self.metadata.get('name', '')}", f"说明：{self.metadata.get('description', '')}"]


def _kind(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        raise ArchiveError(f"无法读取文件「{path.name}」") from None
    if head.startswith(b"SQLite format 3\x00"):
        return "mbtiles"
    if head.startswith(b"PMTiles\x03"):
        return "pmtiles"
    if head.startswith(b"PMTiles"):
        raise ArchiveError(f"「{path.name}」是旧版 PMTiles，只支持第 3 版（v3）")
    raise ArchiveError(f"「{path.name}」不是 MBTiles 或 PMTiles 文件")


class MBTiles:
    format = "mbtiles"

    def __init__(self, path: Path):
        self.path = path

    def _connect(self):
        return sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)

    def get(self, z: int, x: int, y: int) -> Tile | None:
        con = self._connect()
        try:
            row = con.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                              (z, x, tms_row(z, y))).fetchone()
        except sqlite3.DatabaseError:
            raise ArchiveError(f"「{self.path.name}」缺少 tiles 表，不是有效的 MBTiles") from None
        finally:
            con.close()
        if row is None or row[0] is None:
            return None
        data = bytes(row[0])
        return Tile(data, "gzip" if data[:2] == b"\x1f\x8b" else "")

    def info(self, count: bool = True) -> ArchiveInfo:
        """What the archive holds; ``count=False`` skips counting the tiles (a large archive: a full scan)."""
        con = self._connect()
        try:
            meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
            if count:
                lo, hi, n = con.execute("SELECT MIN(zoom_level), MAX(zoom_level), COUNT(*) FROM tiles").fetchone()
            else:  # MIN/MAX use the unique index's first column: no scan
                lo, hi = con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
                n = -1
        except sqlite3.DatabaseError:
            raise ArchiveError(f"「{self.path.name}」缺少 metadata 或 tiles 表，不是有效的 MBTiles") from None
        finally:
            con.close()
        bounds = None
        if meta.get("bounds"):
            try:
                bounds = tuple(float(v) for v in meta["bounds"].split(","))[:4]
            except ValueError:
                bounds = None
        return ArchiveInfo("mbtiles", meta.get("format", "png"), lo or 0, hi or 0, bounds, n, meta)


class PMTiles:
    format = "pmtiles"

    def __init__(self, path: Path):
        self.path = path

    def _read(self, work):
        with open(self.path, "rb") as f:
            if f.seek(0, 2) == 0:
                raise ArchiveError(f"「{self.path.name}」是空文件")
            f.seek(0)
            source = MmapSource(f)
            try:
                return work(Reader(source))
            except (ValueError, KeyError, IndexError, EOFError) as e:
                raise ArchiveError(f"「{self.path.name}」不是有效的 PMTiles（{type(e).__name__}）") from None
            finally:
                getattr(source, "close", lambda: None)()

    def get(self, z: int, x: int, y: int) -> Tile | None:
        def work(reader):
            data = reader.get(z, x, y)
            if not data:
                return None
            gz = reader.header()["tile_compression"] == Compression.GZIP
            return Tile(bytes(data), "gzip" if gz else "")
        return self._read(work)

    def info(self, count: bool = True) -> ArchiveInfo:
        def work(reader):
            h = reader.header()
            meta = reader.metadata()
            bounds = (h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7, h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7)
            return ArchiveInfo("pmtiles", _PMTILES_TYPES.get(h["tile_type"], "未知"), h["min_zoom"], h["max_zoom"],
                               bounds, h.get("addressed_tiles_count", 0), meta if isinstance(meta, dict) else {})
        return self._read(work)


def open_archive(path) -> MBTiles | PMTiles:
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"找不到文件「{path.name}」")
    return MBTiles(path) if _kind(path) == "mbtiles" else PMTiles(path)


def write_mbtiles(path, tiles: dict[tuple[int, int, int], bytes], metadata: dict) -> None:
    """An MBTiles file of ``{(z, x, y): bytes}`` (XYZ rows; stored TMS) with its metadata (name, format, bounds …)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        con.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in metadata.items()])
        con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                        [(z, x, tms_row(z, y), data) for (z, x, y), data in sorted(tiles.items())])
        con.commit()
    finally:
        con.close()


def write_pmtiles(path, tiles: dict[tuple[int, int, int], bytes], metadata: dict,
                  bounds: tuple[float, float, float, float]) -> None:
    """A PMTiles v3 file of PNG tiles ``{(z, x, y): bytes}``."""
    ordered = sorted((zxy_to_tileid(z, x, y), data) for (z, x, y), data in tiles.items())
    zooms = [z for z, _, _ in tiles] or [0]
    with open(path, "wb") as f:
        writer = Writer(f)
        for tile_id, data in ordered:
            writer.write_tile(tile_id, data)
        writer.finalize({
            "tile_type": TileType.PNG, "tile_compression": Compression.NONE,
            "min_zoom": min(zooms), "max_zoom": max(zooms),
            "min_lon_e7": int(bounds[0] * 1e7), "min_lat_e7": int(bounds[1] * 1e7),
            "max_lon_e7": int(bounds[2] * 1e7), "max_lat_e7": int(bounds[3] * 1e7),
            "center_zoom": min(zooms), "center_lon_e7": int((bounds[0] + bounds[2]) / 2 * 1e7),
            "center_lat_e7": int((bounds[1] + bounds[3]) / 2 * 1e7),
        }, metadata)

