"""The use cases and the ports they depend on: the service layer."""
