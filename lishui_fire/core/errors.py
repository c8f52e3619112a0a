"""Domain errors. Views turn them into a message on the page; the API into ``409 Conflict``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A refused state change: the message is shown to the user as it is (translated)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class IllegalTransition(DomainError):
    """The workflow table has no such move from the current status."""


class StaleState(DomainError):
    """Somebody else changed the record first (compare-and-set found a different status)."""


class Conflict(DomainError):
    """A resource conflict such as a full slot."""


class Forbidden(PermissionDenied):
    """The actor may not do this at all (a policy said no): 403 on a page and in the API, like
    Django's ``PermissionDenied`` it extends — not a refused move of a case they may act on."""
