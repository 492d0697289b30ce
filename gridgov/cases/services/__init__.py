"""The only place that writes cases. Each public function owns its transaction.

- ``intake``: a report becomes a case (idempotent by client key), located, numbered, audited;
  ``intake_many``: an integration's batch of reports, each checked on its own, filed in one transaction
- ``transition_many``: the one transition function over the lifecycle table — one action on one or many cases,
  each checked, timed, notified and audited on its own; ``transition`` is its one-case form
- ``duplicates_of``, ``suggest`` (routing), ``scan`` (deadline warnings)
"""

from . import public as public  # residents' pages: anonymous reports, follow-up by number + phone
from .intake import IntakeResult, duplicates_of, intake, intake_many, matter_by_code
from .lights import countdown, light
from .routing import suggest
from .scan import scan, start_background_scan
from .timeline import timeline
from .transitions import (
           BulkRefused,
           Outcome,
           available_actions,
           load_case,
           refusal_error,
           transition,
           transition_many,
)

__all__ = ["BulkRefused", "IntakeResult", "Outcome", "transition_many", "available_actions", "countdown", "light", "timeline", "duplicates_of", "intake", "intake_many", "load_case", "matter_by_code",
           "refusal_error", "scan", "start_background_scan", "suggest", "transition"]
