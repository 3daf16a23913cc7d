"""SOAP plumbing shared by the agencies' services: hardened parsing, envelopes, faults, WS-Security."""
