"""Domain errors shared by every app: a stable code for the API and a plain Chinese message for people.

Services raise these; the API turns them into ``{"code", "message"}`` with their HTTP status, the command
line into a one-line error. A service that raises has written nothing (it owns its transaction).
"""


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details  # more fields of the API's error body (e.g. which cases of a bulk action failed)


class Forbidden(DomainError):
    """Not for this person (their post or account may not do it)."""

    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """Someone else changed the object first (optimistic concurrency), or it is in the wrong state."""

    status = 409


class TooManyRequests(DomainError):
    """Too many attempts (sign-in, a resident's case look-up): refused until the throttle's window has passed."""

    status = 429
class TooLarge(DomainError):
    """More than a configured limit (an upload's size, an import's rows): 413."""

    status = 413
