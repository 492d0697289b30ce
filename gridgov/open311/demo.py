"""Demo (called by ``gridgov.demo.build``): an Open311 api key for a demo client (its key is printed — a demo key,
public like the demo passwords) and a few service requests from it, in the loop as residents' reports (核实 first)."""

from gridgov.geo.models import Grid

from . import services
from .models import ApiKey

DEMO_CLIENT = "演示市民App"
DEMO_KEY = "o311_demo-civic-app-0000000000000000"  # public: it is in the source (a demo only)
REQUESTS = [("06010", "胡同口有一堆建筑垃圾，已经放了好几天"), ("01001", "供水井盖松动，踩上去会响"),
            ("06036", "楼下空地乱堆杂物，挡住了消防通道"), ("09005", "商铺把货摆到人行道上")]


def build(stdout=print, scale: str = "demo") -> None:
    key = ApiKey.objects.filter(name=DEMO_CLIENT).first()
    if key is None:
        key, _ = services.create_key(None, DEMO_CLIENT, _given_key=DEMO_KEY)
    grids = list(Grid.objects.filter(layer__code="unit", community__code__startswith="110101001").order_by("code")[:40])
    wanted = [] if scale == "test" else REQUESTS  # the suite's world: the key only (no cases beside the others')
    filed = 0
    if not key.requests.exists():
        codes = {s.code for s in services.services()}
        for i, (code, text) in enumerate(wanted):
            if code not in codes or not grids:
                continue
            p = grids[(i * 7) % len(grids)].shape.representative_point()
            services.submit(key, {"service_code": code, "lat": p.y, "long": p.x, "description": text,
                                  "address_string": "", "attributes": {}})
            filed += 1
    stdout(f"Open311：客户端「{DEMO_CLIENT}」的演示 api_key {DEMO_KEY}（接口 /open311/v2/，发现 /open311/discovery.json），"
           f"演示服务请求 {filed} 件")
