"""Alembic environment for paintrack's own migrations.

Run only from `paintrack.store.database` (never via an alembic.ini): the caller opens the
connection, with paintrack's SQLite pragmas and a write transaction, and passes it in
`config.attributes["connection"]`. Importing this module anywhere else (a tool walking the
package, say) does nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from paintrack.store.models import Base


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table inside the transaction.
        render_as_batch=True,
        compare_type=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


# alembic.context only has a `config` while Alembic is running this file.
_config = getattr(context, "config", None)
if _config is not None:
    _connection = _config.attributes.get("connection")
    if not isinstance(_connection, Connection):
        raise RuntimeError(
            "paintrack migrations run through paintrack.store.open_store, which passes a connection"
        )
    run_migrations(_connection)
