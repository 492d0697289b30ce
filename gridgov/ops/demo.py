"""ops in the demo (scale, #12): one health-check pass, so /healthz, /metrics and the 系统运行 feed start from a
known state (every check passing: the demo has no broker, Redis or object store — all optional); the pass is a
recorded run of the periodic work ``health-watch``, so /ops/「定时任务最近运行」 starts with one row."""


def build(stdout, scale: str) -> None:
    from gridgov.ops import health, runs

    result = health.check()
    runs.timed("health-watch", lambda: health.watch(result=result))
    parts = "，".join(f"{name}{'正常' if c['ok'] else '不可用'}" for name, c in result["checks"].items())
    stdout(f"运行状态：{parts}（/ops/、/healthz；多机部署见 README）")
