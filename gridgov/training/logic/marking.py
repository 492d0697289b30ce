"""Drawing and marking an exam — pure, no Django.

- ``draw``: the questions of an attempt, ``random.Random(seed).sample`` of the bank's question ids sorted ascending;
  the seed is ``"<exam id>:<person id>:<attempt number>"``, so anyone can draw the same paper again.
- ``normalise``: an answer as stored — letters in order without repeats (``"CA"`` → ``"AC"``) for choice
  questions, ``"T"`` / ``"F"`` for 判断题 (对/正确/√/T/是 and 错/错误/×/F/否 accepted).
- ``mark``: all or nothing per question (a multiple-choice answer must be exactly the right set of letters); the
  score is the sum of the points of the questions answered right.
"""

import random
from dataclasses import dataclass

LETTERS = "ABCDEFGH"
TRUE_WORDS = {"T", "TRUE", "对", "正确", "√", "是", "Y"}
FALSE_WORDS = {"F", "FALSE", "错", "错误", "×", "否", "N"}


def seed_of(exam_id: int, person_id: int, number: int) -> str:
    return f"{exam_id}:{person_id}:{number}"


def draw(question_ids: list[int], n: int, seed: str) -> list[int]:
    """``n`` of the ids (the paper's order), reproducible from ``seed``."""
    return random.Random(seed).sample(sorted(question_ids), n)


def normalise(kind: str, value: str, option_count: int = 0) -> str | None:
    """The answer as stored, or None when it is not a possible answer to such a question."""
    value = (value or "").strip().upper().replace(",", "").replace("，", "").replace(" ", "")
    if kind == "true_false":
        if value in TRUE_WORDS:
            return "T"
        if value in FALSE_WORDS:
            return "F"
        return None
    letters = LETTERS[:option_count]
    if not value or any(c not in letters for c in value):
        return None
    chosen = "".join(sorted(set(value)))
    if kind == "single" and len(chosen) != 1:
        return None
    return chosen


@dataclass(frozen=True)
class Item:
    kind: str
    answer: str
    points: int
    options: int = 0


def mark(items: dict[int, Item], given: dict[int, str]) -> tuple[int, int]:
    """(score, maximum) of the questions ``items`` (by id) for the answers ``given`` (by id; missing: unanswered)."""
    score = sum(it.points for qid, it in items.items() if normalise(it.kind, given.get(qid, ""), it.options) == it.answer)
    return score, sum(it.points for it in items.values())
