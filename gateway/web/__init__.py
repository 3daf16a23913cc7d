"""REST plumbing shared by the adapters: auth, problem documents, status, health."""
