"""Fixtures for the PDF report tests (helpers live in report_helpers.py)."""

from __future__ import annotations

import pytest
from report_helpers import DEMO, load

from paintrack.clinical.model import Diary


@pytest.fixture
def demo_diary() -> Diary:
    return load(DEMO)
