"""Legal Aid Gateway: carries criminal legal-aid work from courts, procuratorates and police to a legal aid centre."""
