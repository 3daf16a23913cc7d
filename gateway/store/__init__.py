"""Durable store on SQLAlchemy Core: SQLite (WAL) by default, PostgreSQL by URL, the same code."""
