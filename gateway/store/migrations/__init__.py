"""Alembic migrations of the store (`lagw db upgrade`); env.py runs them on the connection it is given."""
