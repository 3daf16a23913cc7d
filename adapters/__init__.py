"""One package per agency: its dialects (REST, later SOAP) and their mapping to the canonical model."""
