"""Bugs are logged with their traceback to a rotating file; the user sees a calm sentence.

Errors a user can act on are `UserError`s and never reach here.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from platformdirs import user_log_path

from paintrack.paths import ensure_private_dir

LOG_NAME = "paintrack.log"
_configured: Path | None = None


def log_file() -> Path:
    return user_log_path("paintrack", appauthor=False) / LOG_NAME


def configure_logging() -> Path:
    """Send paintrack's log records (warnings and up) to a rotating file; returns its path."""
    global _configured
    path = log_file()
    if _configured == path:
        return path
    ensure_private_dir(path.parent)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
