"""One function per user action, between the window and the store: each takes the store and
returns a typed result, or raises a UserError (or one of its typed kinds). No Qt here.

The window calls these and never the store's insides (`store.database`, `store.backup`,
`store.lock`); long ones run off the UI thread through `paintrack.ui.running`.
"""

from __future__ import annotations

from paintrack.store import ImportResult, RefusedDatabase, Store

__all__ = ["ImportResult", "RefusedDatabase", "Store"]
