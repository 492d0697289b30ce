"""案件抽查 (003 篇7 附件1 案件质量): how many of a unit's normally closed cases to sample, and which — pure.

The sample is random but reproducible: ``random.Random("<period>:<street code>")`` (Python's seeded Mersenne
Twister; a text seed is hashed with SHA-512, the same on every machine and Python version ≥ 3.2) draws from the
month's normally closed case numbers sorted ascending. Anyone holding the list of numbers can redraw it.
Size: 10 % of the closed cases, at least 5, at most 20 (never more than there are) — parameters.
"""

import math
import random

SHARE, MINIMUM, MAXIMUM = 0.10, 5, 20


def sample_size(closed: int, share: float = SHARE, minimum: int = MINIMUM, maximum: int = MAXIMUM) -> int:
    if closed <= 0:
        return 0
    return min(closed, max(minimum, min(maximum, math.ceil(closed * share))))


def seed(period: str, street: str) -> str:
    return f"{period}:{street}"


def draw(period: str, street: str, numbers: list[str], share: float = SHARE, minimum: int = MINIMUM,
         maximum: int = MAXIMUM) -> list[str]:
    """The sampled case numbers, in the order drawn."""
    pool = sorted(set(numbers))
    return random.Random(seed(period, street)).sample(pool, sample_size(len(pool), share, minimum, maximum))
