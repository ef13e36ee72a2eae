"""Bugs are logged with their traceback to a rotating file; the user sees a calm sentence.

Errors a user can act on are `UserError`s and never reach here.

The log never holds health data: the file is created 0600 (like the diary, whatever the umask),
and every record is scrubbed before it is written: a database error's bound parameters
(`[parameters: ...]`, the patient's name, birth date, scores...) and the values a server quotes
back (`DETAIL: Key (mrn)=(...)`, `Failing row contains (...)`) are replaced by "(hidden)". The
traceback itself, the SQL statement and the kind of error are kept: they are what finds the bug.
The engines are also created with `hide_parameters=True`, so SQLAlchemy leaves them out itself.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from platformdirs import user_log_path

from paintrack.paths import FILE_MODE, ensure_private_dir

LOG_NAME = "paintrack.log"
_configured: Path | None = None


HIDDEN = "(hidden)"
_SCRUB: tuple[tuple[re.Pattern[str], str], ...] = (
    # SQLAlchemy's "[parameters: (...)]" after a failed statement: one line, however long (the
    # values are repr()'d, so a line break in a value never ends it).
    (re.compile(r"\[parameters: .*$", re.MULTILINE), f"[parameters: {HIDDEN}]"),
    # PostgreSQL's DETAIL lines quote the offending values ("Key (mrn)=(H-1) already exists").
    (re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE), rf"\1 {HIDDEN}"),
    (re.compile(r"Failing row contains .*$", re.MULTILINE), f"Failing row contains {HIDDEN}"),
    # A database address with its password, however malformed.
    (re.compile(r"\b([a-z][a-z0-9+.-]*://)[^\s@/]*(?::[^\s@]*)?@"), r"\1***@"),
)


def scrub(text: str) -> str:
    """`text` with the values a database error quotes replaced by "(hidden)"."""
    for pattern, replacement in _SCRUB:
        text = pattern.sub(replacement, text)
    return text


class ScrubbingFormatter(logging.Formatter):
    """Formats as usual (message, then traceback), then scrubs the whole record."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600, whatever the umask."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        os.fchmod(fd, FILE_MODE)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def log_file() -> Path:
    return user_log_path("paintrack", appauthor=False) / LOG_NAME


def configure_logging() -> Path:
    """Send paintrack's log records (warnings and up) to a rotating file; returns its path."""
    global _configured
    path = log_file()
    if _configured == path:
        return path
    ensure_private_dir(path.parent)
    handler = PrivateRotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("paintrack")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    _configured = path
    return path


def record_bug(error: BaseException) -> Path:
    """Log an unexpected exception with its traceback; returns the log file's path."""
    path = configure_logging()
    logging.getLogger("paintrack").error(
        "unexpected error", exc_info=(type(error), error, error.__traceback__)
    )
    for handler in logging.getLogger("paintrack").handlers:
        handler.flush()
    return path


def bug_message(path: Path) -> str:
    return (
        "something went wrong inside paintrack (a bug, not something you did). Everything you "
        f"had saved is kept. The details are in {path}; please send that file to your clinic "
        "or to the paintrack team."
    )
