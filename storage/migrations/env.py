"""Alembic environment: the connection handed over by ``storage.migrations``, or, from the
``alembic`` command, the warehouse named by our settings (``SOHOA_*``)."""

from __future__ import annotations

from alembic import context

import storage.batches  # noqa: F401  - their tables are on the same metadata
import storage.intake_ledger  # noqa: F401
import storage.register_store  # noqa: F401
from storage.search import is_search_table
from storage.tables import metadata


def include_name(name, type_, parent_names) -> bool:  # type: ignore[no-untyped-def]
    """The search index (storage/search.py) is built by hand, outside the declared schema."""
    return not (type_ == "table" and is_search_table(name))


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite changes constraints by copying the table
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported: run `sohoa db upgrade`")

given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:  # the `alembic` command line: an entry point, so settings come from the environment
    from schemas.settings import load_settings
    from storage.database import engine_for

    settings = load_settings()
    engine = engine_for(settings.resolved_warehouse_url, settings.warehouse_password_file)
    with engine.begin() as connection:
        run(connection)
