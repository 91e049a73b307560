"""Structured logs: one JSON object per line on stdout, for the log collector of the host.

A hand-written formatter of a dozen lines does what python-json-logger would; the fields are
the ones an operator filters on (time, level, logger, message) plus whatever a caller passes
with ``extra={...}`` (for example the task id of a Celery job).

Whatever is logged first passes ``RedactingFilter``, which every handler in ``LOGGING`` (and
gunicorn's, see ``roadmap/gunicorn.py``) carries: credentials that travel in a URL never reach
a log line, whichever logger wrote it and however (message, arguments, ``extra=``, traceback).
"""

import json
import logging
import re
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# A password-reset link carries the person's uid and a working token in its path
# (/account/reset/<uid>/<token>/, and after the first visit /account/reset/<uid>/set-password/).
# Whoever reads the logs must not get working reset links, also not from a mistyped one (a stray
# character makes it a 404, which django.request logs with its path): everything after
# /account/reset/ up to the end of the path is masked. Django's /account/reset/done/ is no secret.
_RESET_LINK = re.compile(r"(/account/reset/)(?!done/?(?:[\s?#'\"<>]|$))[^\s?#'\"<>]+")
REDACTED = "[redacted]"


def redact(text: str | None) -> str | None:
    """The text with every password-reset link's uid and token masked."""
    return _RESET_LINK.sub(rf"\1{REDACTED}/{REDACTED}/", text) if text else text


class RedactingFilter(logging.Filter):
    """Mask credentials in a record before any handler writes it (ASVS V16.2.5).

    The record itself is changed, so every handler after this one sees the masked text too:
    the formatted message (message and arguments, then ``args`` emptied), the traceback, and
    ``extra=`` values such as the ``request`` Django's loggers attach (whose text is its path).
    A record that holds nothing to mask is left as it is.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format is the handler's to report, not ours
            message = None
        if message is not None and (masked := redact(message)) != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for name in ("exc_text", "stack_info"):
            value = getattr(record, name, None)
            if value:
                setattr(record, name, redact(value))
        for name, value in list(vars(record).items()):
            if name in _STANDARD_ATTRIBUTES or name.startswith("_") or value is None:
                continue
            text = value if isinstance(value, str) else _text(value)
            if text is not None and (masked := redact(text)) != text:
                setattr(record, name, masked)
        return True


def _text(value: object) -> str | None:
    if isinstance(value, int | float | bool):
        return None
    try:
        return str(value)
    except Exception:  # an object that cannot say what it is holds no link
        return None


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info or record.exc_text:
            # The text RedactingFilter masked, when it ran; else the traceback itself.
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False)
