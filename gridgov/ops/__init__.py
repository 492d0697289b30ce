"""ops (issue #12, the `scale` helper): running gridgov on many machines — the background outbox that Celery
publishes from, health and metrics, the 系统运行 record fed by health checks, backup and restore."""
