"""Errors a user can meet and act on: shown in plain words, never as a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix (bad file, wrong option, database from a newer version).

    The message says what was wrong and what to do. The command line prints it to standard
    error and exits with `exit_code`; the window shows it in a dialog.
    """

    exit_code = 2
    # True when the message is technical detail (a file's JSON paths) meant for whoever helps
    # the user: the window puts one plain sentence first and says who the details are for.
    for_a_helper = False

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
