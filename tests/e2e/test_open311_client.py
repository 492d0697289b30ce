"""An Open311 GeoReport v2 client written from the specification (wiki.open311.org/GeoReport_v2), sharing no code
with gridgov: only urllib, xml.etree and json, against the demo site served by `gridgov serve`. It finds the
endpoint through discovery, lists the services, posts a request and reads it back — in XML and in JSON.

The api key is the demo client's, as `gridgov demo` prints it.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

SPEC = "http://wiki.open311.org/GeoReport_v2"


def fetch(url, data=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def demo_key(printed: str) -> str:
    return re.search(r"api_key (o311_\S+?)（", printed).group(1)


def endpoint(base: str, fmt: str) -> str:
    status, ctype, raw = fetch(f"{base}/open311/discovery.{fmt}")
    assert status == 200
    if fmt == "json":
        assert ctype.startswith("application/json")
        [ep] = [e for e in json.loads(raw)["endpoints"] if e["specification"] == SPEC]
        assert "application/json" in ep["formats"]
        return ep["url"]
    assert ctype.startswith("text/xml") and raw.startswith(b"<?xml")
    root = ET.fromstring(raw)
    [ep] = [e for e in root.iter("endpoint") if e.findtext("specification") == SPEC]
    assert "text/xml" in [f.text for f in ep.iter("format")]
    return ep.findtext("url")


def test_json_client(server):
    base, printed = server
    key = demo_key(printed)
    url = endpoint(base, "json")
    status, _, raw = fetch(f"{url}/services.json")
    assert status == 200
    services = json.loads(raw)
    garbage = [s for s in services if s["service_name"] == "暴露垃圾"]
    assert garbage and garbage[0]["type"] in ("realtime", "batch", "blackbox")
    code = garbage[0]["service_code"]
    status, _, raw = fetch(f"{url}/services/{code}.json")
    assert status == 200 and json.loads(raw)["service_code"] == code
    status, _, raw = fetch(f"{url}/requests.json")
    assert status == 200
    known = json.loads(raw)
    assert known, "the demo has service requests"
    lat, long = known[0]["lat"], known[0]["long"]
    status, _, raw = fetch(f"{url}/requests.json", {
        "api_key": key, "service_code": code, "lat": lat, "long": long, "description": "JSON 客户端：路边有暴露垃圾",
        "email": "client@example.com"})
    assert status in (200, 201), raw
    [posted] = json.loads(raw)
    rid = posted.get("service_request_id")
    if not rid:  # a server may answer a token first
        status, _, raw = fetch(f"{url}/tokens/{posted['token']}.json")
        rid = json.loads(raw)[0]["service_request_id"]
    status, _, raw = fetch(f"{url}/requests/{rid}.json")
    assert status == 200
    [got] = json.loads(raw)
    assert got["service_request_id"] == rid
    assert got["service_code"] == code
    assert got["status"] == "open"
    assert got["description"] == "JSON 客户端：路边有暴露垃圾"
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$", got["requested_datetime"])
    assert "client@example.com" not in raw.decode()
    status, _, raw = fetch(f"{url}/requests.json", {"api_key": "not-a-key", "service_code": code, "lat": lat,
                                                     "long": long})
    assert status == 403 and json.loads(raw)[0]["code"] == 403


def test_xml_client(server):
    base, printed = server
    key = demo_key(printed)
    url = endpoint(base, "xml")
    status, ctype, raw = fetch(f"{url}/services.xml")
    assert status == 200 and ctype.startswith("text/xml")
    root = ET.fromstring(raw)
    assert root.tag == "services"
    by_name = {s.findtext("service_name"): s.findtext("service_code") for s in root.findall("service")}
    code = by_name["暴露垃圾"]
    status, _, raw = fetch(f"{url}/requests.xml")
    first = ET.fromstring(raw).find("request")
    lat, long = first.findtext("lat"), first.findtext("long")
    status, _, raw = fetch(f"{url}/requests.xml", {"api_key": key, "service_code": code, "lat": lat, "long": long,
                                                    "description": "XML 客户端：路边有暴露垃圾"})
    assert status in (200, 201), raw
    answer = ET.fromstring(raw)
    assert answer.tag == "service_requests"
    rid = answer.findtext("request/service_request_id")
    status, _, raw = fetch(f"{url}/requests/{rid}.xml")
    assert status == 200
    got = ET.fromstring(raw).find("request")
    assert got.findtext("service_request_id") == rid
    assert got.findtext("status") == "open"
    assert got.findtext("description") == "XML 客户端：路边有暴露垃圾"
    status, _, raw = fetch(f"{url}/requests.xml?service_request_id={rid}")
    assert [r.findtext("service_request_id") for r in ET.fromstring(raw).findall("request")] == [rid]
    status, _, raw = fetch(f"{url}/services/00000.xml")
    assert status == 404 and ET.fromstring(raw).tag == "errors"
