"""Logging filters (named in settings.LOGGING)."""

from __future__ import annotations

import logging


class NoTracebackBelowError(logging.Filter):
    """A 403 or 404 is the caller's mistake, logged as one line; only errors carry a traceback.

    Django logs every refused request ("Forbidden (Permission denied)") with the exception's
    traceback, which buries the one real failure among hundreds of ordinary refusals.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
