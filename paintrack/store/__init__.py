"""Durable storage: SQLAlchemy tables, migrations, and a repository API over dataclasses."""
