"""Pure rules from the law: grounds, identity, deadlines, authorization, routing."""
