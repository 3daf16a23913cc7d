"""Development tools outside the runtime package: the demo, the agency simulator, the AsyncAPI generator."""
