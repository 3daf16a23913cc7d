"""Marshmallow wire contracts: the canonical message on the bus and shared field types."""
