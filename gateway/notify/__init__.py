"""Notices back to the agencies: a signed webhook or the agency's own SOAP callback service."""
