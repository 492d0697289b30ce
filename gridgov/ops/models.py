"""ops tables: plumbing, not business data (like the cache table): not audited, no personal data."""

from django.db import models


class OutboxJob(models.Model):
    """A background job waiting to be handed to the broker (gridgov.workers): written in the caller's transaction,
    published after its commit and deleted once the broker took it; a broker that is down leaves it here and the
    outbox sweep publishes it again (gridgov/backoff.py schedule). Arguments are ids and plain values only."""

    name = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]


class HealthState(models.Model):
    """The last health verdict of one check (db, cache, broker, storage), shared by every machine: when a check
    started failing (``failing_since``) and the 系统运行 outage it opened (``outage_ids``)."""

    name = models.CharField(max_length=20, unique=True)
    ok = models.BooleanField(default=True)
    detail = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    outage_ids = models.JSONField(default=list, blank=True)


class Probe(models.Model):
    """A test job of the workers (``ops.probe``): each run adds its process id, a held probe waits until released,
    then counts itself finished — once, however many times it was started (`gridgov worker` self-check, and the
    test that a worker killed mid-job hands the job to another)."""

    hold = models.BooleanField(default=False)
    starts = models.JSONField(default=list)  # the pid of every run that started
    finished = models.PositiveIntegerField(default=0)
    finished_by = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class PeriodicRun(models.Model):
    """The last pass of one periodic work (the deadline scan, the delivery sweep, the health watch … — a loop of
    ``serving.every`` in `gridgov serve`, or the beat's ``gridgov.periodic`` task on a worker), shared by every
    machine: when it last started and finished, whether it failed (the kind of error only), how many passes and
    failures so far, and which process ran it. Written by :func:`gridgov.ops.runs.timed`; read by /ops/."""

    name = models.CharField(max_length=60, unique=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=True)
    error = models.CharField(max_length=300, blank=True)
    runs = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    host = models.CharField(max_length=100, blank=True)  # "<host name>:<pid>"

    class Meta:
        ordering = ["name"]
