"""Persistence: SQLAlchemy tables, queries, and Alembic migrations."""
