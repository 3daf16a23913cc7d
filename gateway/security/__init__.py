"""Keys, sealing, keyed digests and signed requests: what keeps personal data and credentials safe."""
