"""Domain exceptions. Views turn them into form errors or 403/404/409 pages."""


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The actor's role or organisation may not do this (HTTP 403)."""


class WrongState(DomainError):
    """The object is not in a state that allows this (HTTP 409)."""


class TooOften(DomainError):
    """The actor has done this too often lately; trying again later may work (HTTP 429).

    `retry_after`: seconds until the shared throttle lets the next try through (the
    log-in, password and reset-link limits); the answer is then the 429 page saying when.
    """

    def __init__(self, message: str, field: str | None = None, retry_after: int | None = None):
        super().__init__(message, field)
        self.retry_after = retry_after
