"""The only writer of the assessment (考评); reads for the pages and the API.

- Schemes: the shipped 003 篇7 scheme is installed on first use (``shipped_scheme``); a district copies it
  (``copy_scheme``) and edits points, tiers and parameters (``edit_scheme``: the whole scheme is validated by
  ``logic.scheme.validate`` and nothing is written unless it adds up); ``activate_scheme`` chooses the one in use.
- Judgements (专人评判, ``judge``) and evidence (佐证材料, ``submit_evidence``); a judgement of parts 1, 2, 4, 5, 6 carries
  forward within the year until changed (``judgement_inputs``).
- Runs: ``run_period`` builds the facts (``build_facts``: the other apps' producers) and scores them;
  ``run_document`` scores a given facts document. Each makes a new revision; ``publish`` shows a run to the units.
- Appeals (申诉): ``file_appeal`` within the scheme's window (working days after the month was first published,
  ``gridgov.worktime``), ``rule_appeal``: upheld → the month is recomputed as a new revision (published), the appeal
  keeps the old and the new points and the ruling.

Who sees what: the centre, the leader and the administrator see every run; a unit (a post with ``assess.submit``: a
street's 督导员, a department's handler) sees published runs only.
"""

from gridgov.accounts.scope import require
from gridgov.errors import DomainError

from .appeals import (
    FILE_TYPES,
    OTHER_TYPE,
    appeal_deadline,
    appeal_deadlines,
    appeals,
    attachment,
    file_appeal,
    rule_appeal,
)
from .common import (
    DEFAULT_DISTRICT,
    MANAGE,
    REVIEW,
    SUBMIT,
    VIEW,
    sees_unpublished,
    today,
    unit_of,
    units,
)
from .judging import evidence, judge, judgement_inputs, judgements, submit_evidence
from .runs import (
    _strip_sources,
    annual,
    build_facts,
    current_run,
    get_run,
    history,
    publish,
    run_document,
    run_period,
    runs,
    score_document,
)
from .schemes import (
    activate_scheme,
    active_scheme,
    copy_scheme,
    document,
    edit_scheme,
    get_scheme,
    schemes,
    shipped_document,
    shipped_scheme,
)

__all__ = ["DEFAULT_DISTRICT", "DomainError", "FILE_TYPES", "MANAGE", "OTHER_TYPE", "REVIEW", "SUBMIT", "VIEW",
           "_strip_sources", "activate_scheme", "active_scheme", "annual", "appeal_deadline", "appeal_deadlines", "appeals", "attachment",
           "build_facts", "copy_scheme", "current_run", "document", "edit_scheme", "evidence", "file_appeal",
           "get_run", "get_scheme", "history", "judge", "judgement_inputs", "judgements", "publish", "require",
           "rule_appeal", "run_document", "run_period", "runs", "schemes", "score_document", "sees_unpublished",
           "shipped_document", "shipped_scheme", "submit_evidence", "today", "unit_of", "units"]
