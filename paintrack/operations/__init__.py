"""One function per user action, between the window and the store: each takes the store and
returns a typed result, or raises a UserError (or one of its typed kinds). No Qt here.

The window calls these and never the store's insides (`store.database`, `store.backup`,
`store.lock`); long ones run off the UI thread through `paintrack.ui.running`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paintrack.store import ImportResult, RefusedDatabase, Store

__all__ = ["ImportResult", "RefusedDatabase", "Store"]


def __getattr__(name: str) -> object:
    """The store's names, imported when first used: the window paints before SQLAlchemy (half
    a second of imports) is loaded, and opens the diary after."""
    if name in __all__:
        import paintrack.store

        return getattr(paintrack.store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
