"""Alembic environment: run against the engine the Store hands over (or a URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from aupguard.store.db import database_url
from aupguard.store.models import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(database_url(None))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()
