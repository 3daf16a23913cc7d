"""The state security adapter: 国家安全机关, which handle cases endangering state security with the police's
powers (CPL 4)."""
