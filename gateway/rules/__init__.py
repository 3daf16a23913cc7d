"""Pure rules from the law: grounds, identity, deadlines, permissions, routing."""
