"""Alembic environment for paintrack's own migrations.

Run only from `paintrack.store.database` (never via an alembic.ini): the caller opens the
connection, with paintrack's SQLite pragmas and a write transaction, and passes it in
`config.attributes["connection"]`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from paintrack.store.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "paintrack migrations run through paintrack.store.open_store, which passes a connection"
    )

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
