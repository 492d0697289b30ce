"""ops in the demo (scale, #12): one health-check pass, so /healthz, /metrics and the 系统运行 feed start from a
known state (every check passing: the demo has no broker, Redis or object store — all optional)."""


def build(stdout, scale: str) -> None:
    from gridgov.ops import health

    result = health.check()
    health.watch(result=result)
    parts = "，".join(f"{name}{'正常' if c['ok'] else '不可用'}" for name, c in result["checks"].items())
    stdout(f"运行状态：{parts}（/healthz；多机部署见 README）")
