"""A clinic's database has thousands of patients: filling a list and a drop-down with 20,000
items must not abort the process. With PySide6 6.12.0 on Python 3.11 each `setData` or
`addItem` took a reference from None and the process died ("none_dealloc", exit 134); it runs
in a subprocess so such an abort fails this test instead of ending the whole test run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

ITEMS = 20_000

SCRIPT = textwrap.dedent(
    f"""
    import sys
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QComboBox, QListWidget, QListWidgetItem

    app = QApplication([])
    patients = QListWidget()
    choice = QComboBox()
    for number in range({ITEMS}):
        item = QListWidgetItem(f"Patient {{number}}")
        item.setData(Qt.ItemDataRole.UserRole, f"id-{{number}}")
        item.setToolTip("a patient")
        patients.addItem(item)
        choice.addItem(f"Patient {{number}}", f"id-{{number}}")
    patients.setCurrentRow({ITEMS} - 1)
    choice.setCurrentIndex({ITEMS} - 1)
    print(patients.count(), choice.count(), patients.currentItem().data(Qt.ItemDataRole.UserRole))
    """
)


@pytest.mark.slow
def test_twenty_thousand_list_and_drop_down_items_do_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [str(ITEMS), str(ITEMS), f"id-{ITEMS - 1}"]
