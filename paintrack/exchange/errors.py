"""DiaryFormatError: a diary file the user must fix, with every problem's JSON path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paintrack.errors import UserError

# A message listing hundreds of problems helps nobody; the first few show what is wrong.
MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class DiaryProblem:
    """One thing wrong with a diary file: where (a JSON path, "" for the whole file) and what."""

    path: str
    message: str

    def describe(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DiaryFormatError(UserError):
    """A diary file that is not valid paintrack-diary JSON. Nothing was read from it.

    The message names the file, the JSON path and what was expected, for example
    `diary.json: blocks[1].entries[4].scores.index: expected a whole number from 0 to 10, got 11`.
    With several problems the first comes first, then the others, one per line.
    """

    for_a_helper = True

    def __init__(
        self, source_name: str, problems: Sequence[DiaryProblem], *, more: bool = False
    ) -> None:
        if not problems:
            raise ValueError("a DiaryFormatError needs at least one problem")
        self.source_name = source_name
        self.problems: tuple[DiaryProblem, ...] = tuple(problems)
        lines = [f"{source_name}: {self.problems[0].describe()}"]
        others = self.problems[1:]
        if others:
            count = f"{len(others)}{'+' if more else ''}"
            noun = "problem" if len(others) == 1 and not more else "problems"
            lines.append(f"{count} more {noun} in {source_name}:")
            lines.extend(f"  {problem.describe()}" for problem in others[:MAX_LISTED_PROBLEMS])
            hidden = len(others) - MAX_LISTED_PROBLEMS
            if hidden > 0 or more:
                lines.append(f"  ... and {'more' if more else hidden} not listed here")
        super().__init__("\n".join(lines))
