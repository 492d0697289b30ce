"""/metrics in the Prometheus text format (prometheus_client).

What is counted, and how several processes add up:

- ``gridgov_http_requests_total{view, method, status}`` and ``gridgov_http_request_duration_seconds{view}``
  (histogram): counted in each process by :class:`RequestMetricsMiddleware`. `gridgov serve` runs several worker
  processes: it sets ``PROMETHEUS_MULTIPROC_DIR`` (a fresh folder ``<DATA_DIR>/metrics/<port>``) before starting
  them, each process writes its figures to its own memory-mapped file there, and whichever process answers
  ``/metrics`` sums them (prometheus_client's multiprocess mode) — one figure per machine. Several machines: each
  is scraped as its own target and Prometheus adds them (``sum by (view)``).
- From the database at scrape time (the same for every process and machine): ``gridgov_background_outbox_jobs``
  (jobs the broker has not taken yet), ``gridgov_overdue_cases{district}`` (超期在办 by district),
  ``gridgov_health_ok{check}`` (the last health verdicts), and ``gridgov_queue_depth{queue}`` — the RabbitMQ queue
  length when a broker is configured, and the pending rows of other apps' outboxes registered in ``QUEUES``.

Access: ``Authorization: Bearer <GRIDGOV_METRICS_TOKEN>`` or an administrator's session; else 403 (404-like
silence is not needed: the figures carry no personal data, but district counts are not public).
"""

import hmac
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as mp
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REQUESTS = Counter("gridgov_http_requests", "HTTP requests answered", ["view", "method", "status"])
LATENCY = Histogram("gridgov_http_request_duration_seconds", "Time to answer a request", ["view"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

# other apps' queues of pending work: name → a function counting it (e.g. notify's deliveries waiting for a retry)
QUEUES: dict[str, Callable[[], int]] = {}


def register_queue(name: str, count: Callable[[], int]) -> None:
    QUEUES[name] = count


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return (match.view_name or match._func_path or "<unnamed>")[:120]


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        if request.path.startswith("/static/"):
            return response
        view = _view_name(request)
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - start)
        return response


class DatabaseCollector:
    """The gauges read from the database when /metrics is asked (no per-process state)."""

    def collect(self):
        from django.db.models import Count
        from django.utils import timezone

        from gridgov import background
        from gridgov.cases.models import Case
        from gridgov.cases.services.lights import overdue_q
        from gridgov.ops.models import HealthState, OutboxJob

        g = GaugeMetricFamily("gridgov_background_outbox_jobs", "Background jobs not yet handed to the broker")
        g.add_metric([], OutboxJob.objects.count())
        yield g
        q = GaugeMetricFamily("gridgov_queue_depth", "Pending work in a queue", labels=["queue"])
        if background.mode() == "celery":
            depth = broker_queue_depth()
            if depth is not None:
                q.add_metric(["broker"], depth)
        for name, count in sorted(QUEUES.items()):
            try:
                q.add_metric([name], count())
            except Exception:  # a queue that cannot be counted is left out, not the whole scrape
                pass
        yield q
        o = GaugeMetricFamily("gridgov_overdue_cases", "超期在办 cases by district", labels=["district"])
        rows = (Case.objects.filter(overdue_q(timezone.now())).values("district__code").annotate(n=Count("id"))
                .order_by("district__code"))
        for r in rows:
            o.add_metric([r["district__code"]], r["n"])
        yield o
        h = GaugeMetricFamily("gridgov_health_ok", "Last health verdict (1 ok, 0 failing)", labels=["check"])
        for s in HealthState.objects.order_by("name"):
            h.add_metric([s.name], 1 if s.ok else 0)
        yield h


def broker_queue_depth() -> int | None:
    """Messages waiting in the broker queue (a passive declare), None when the broker cannot be asked."""
    try:
        from gridgov import workers

        with workers._acquire(workers.broker_url()) as conn:
            channel = conn.default_channel
            _name, count, _consumers = channel.queue_declare(workers.queue_name(), passive=True)
            return int(count)
    except Exception:
        return None


def render() -> bytes:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        mp.MultiProcessCollector(registry)
    else:  # one process (`gridgov serve --workers 1`, the tests): its own counters
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(DatabaseCollector())
    return generate_latest(registry)


def allowed(request) -> bool:
    token = settings.GRIDGOV.get("METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    from gridgov.accounts.roles import Role

    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def metrics_view(request):
    if not allowed(request):
        return HttpResponse("403 需要 GRIDGOV_METRICS_TOKEN 或管理员登录\n", status=403,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
