"""When to try an outside delivery again (SMS, 企业微信, e-mail, the 12345 webhooks): one schedule for all of them.

Pure: no Django. Attempt 1 failed → wait 30 s; then 1, 2, 4, 8 … minutes, capped at 30 minutes between tries, so a
receiver that is down for an hour is tried seven times and gets everything once it is back.
"""

import datetime as dt

FIRST_WAIT_S = 30
CAP_S = 30 * 60


def wait_after(failed_attempts: int) -> dt.timedelta:
    """How long to wait after ``failed_attempts`` (≥ 1) failed tries."""
    if failed_attempts < 1:
        return dt.timedelta(0)
    seconds = FIRST_WAIT_S if failed_attempts == 1 else 60 * 2 ** (failed_attempts - 2)
    return dt.timedelta(seconds=min(seconds, CAP_S))


def next_attempt(failed_attempts: int, now: dt.datetime) -> dt.datetime:
    return now + wait_after(failed_attempts)
