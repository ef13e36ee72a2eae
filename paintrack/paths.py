"""Where the diary lives: the platform's user data folder, or what `--db` / PAINTRACK_DB say.

This is health data, so the folder is created 0700 and the database file 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

DB_ENV = "PAINTRACK_DB"
DB_FILENAME = "paintrack.db"
DIR_MODE = 0o700
FILE_MODE = 0o600


def default_data_dir() -> Path:
    return user_data_path("paintrack", appauthor=False)


def default_db_path() -> Path:
    return default_data_dir() / DB_FILENAME


def is_url(target: str) -> bool:
    """A SQLAlchemy URL (postgresql://..., sqlite:///...) rather than a file path."""
    return "://" in target


def resolve_db_target(cli_value: str | None) -> str:
    """The database the user asked for: `--db`, else PAINTRACK_DB, else the default file."""
    if cli_value:
        return cli_value
    env = os.environ.get(DB_ENV)
    if env:
        return env
    return str(default_db_path())


def ensure_private_dir(folder: Path) -> None:
    """Create `folder` (and parents) 0700; tighten it if we created it but the umask loosened it."""
    existed = folder.exists()
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if not existed:
        os.chmod(folder, DIR_MODE)
