"""标准地址 (the standard address register) and 底图 sources kept in the database.

An ``Address`` is a 门牌地址 (街路巷 + 门牌号, optionally 楼栋/单元) or a POI (a named place of a kind). Its point
(WGS-84) places it in a unit grid and community (the locator), and its ``scope_key`` is that unit grid's, so the
accounts scoping applies by prefix like every scoped row. ``search_text`` (the full text) and ``initials`` (pinyin
initials of the name and road) are what search looks in. A building of the basic data feeds one address
(``source="building"``, ``building_code``), kept in step by ``services.sync_buildings``.
"""

from django.db import models


class AddressKind(models.TextChoices):
    DOOR = "door", "门牌地址"
    POI = "poi", "兴趣点"


class Address(models.Model):
    SCOPE_FIELD = "scope_key"

    code = models.CharField("地址编码", max_length=60, unique=True)
    kind = models.CharField("类型", max_length=8, choices=AddressKind.choices, default=AddressKind.DOOR)
    road = models.CharField("街路巷", max_length=60, blank=True)
    number = models.CharField("门牌号", max_length=20, blank=True)
    building = models.CharField("楼栋", max_length=40, blank=True)
    unit = models.CharField("单元", max_length=20, blank=True)
    name = models.CharField("名称", max_length=100, blank=True, help_text="兴趣点或楼栋的名称")
    poi_kind = models.CharField("兴趣点类别", max_length=40, blank=True)
    text = models.CharField("完整地址", max_length=300, editable=False)
    initials = models.CharField("拼音首字母", max_length=200, blank=True, editable=False, db_index=True)
    lon = models.FloatField("经度")
    lat = models.FloatField("纬度")
    unit_grid = models.CharField("单元网格", max_length=40, blank=True)
    community_code = models.CharField("社区代码", max_length=12, blank=True, db_index=True)
    scope_key = models.CharField("范围键", max_length=100, blank=True, editable=False)
    source = models.CharField("来源", max_length=12, default="manual",
                              choices=[("manual", "录入"), ("import", "导入"), ("building", "楼栋")])
    building_code = models.CharField("楼栋编码", max_length=40, blank=True, db_index=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "标准地址"
        ordering = ["code"]
        indexes = [
            models.Index(fields=["scope_key"], name="addresses_scope", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["lat", "lon"], name="addresses_point"),
            models.Index(fields=["text"], name="addresses_text", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.text


class BaseMapSource(models.Model):
    """底图: one base map source an administrator keeps (besides those in settings and the tiles folder)."""

    name = models.SlugField("名称（英文）", max_length=40, unique=True)
    label = models.CharField("显示名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=[("tianditu", "天地图"), ("xyz", "XYZ 瓦片"),
                                                          ("wmts", "WMTS"), ("archive", "离线瓦片包")])
    crs = models.CharField("坐标系", max_length=6, default="wgs84",
                           choices=[("wgs84", "WGS-84 / CGCS2000"), ("gcj02", "GCJ-02（高德、腾讯）")])
    url = models.CharField("地址模板", max_length=500, blank=True,
                           help_text="XYZ：含 {z} {x} {y}（可含 {s}）；WMTS：服务地址（KVP）")
    layer = models.CharField("图层", max_length=100, blank=True, help_text="天地图：vec 或 img；WMTS：图层名")
    key = models.CharField("密钥", max_length=64, blank=True, help_text="天地图 tk（空则用设置中的密钥）")
    matrix_set = models.CharField("WMTS 矩阵集", max_length=60, blank=True)
    subdomains = models.CharField("子域名", max_length=20, blank=True)
    attribution = models.CharField("版权说明", max_length=200, blank=True)
    min_zoom = models.PositiveSmallIntegerField("最小级别", default=0)
    max_zoom = models.PositiveSmallIntegerField("最大级别", default=18)
    file = models.CharField("离线文件", max_length=200, blank=True, help_text="tiles 目录下的 .mbtiles 或 .pmtiles")
    position = models.PositiveSmallIntegerField("顺序", default=0)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "底图"
        ordering = ["position", "id"]

    def __str__(self):
        return self.label

    def as_source(self) -> dict:
        raw = {k: getattr(self, k) for k in ("name", "label", "kind", "crs", "url", "layer", "key", "matrix_set",
                                             "subdomains", "attribution", "min_zoom", "max_zoom", "file")}
        return {k: v for k, v in raw.items() if v not in ("", None)}
