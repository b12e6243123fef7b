"""`ytc-release init`: set a repository up for the tool (detect, plan, write)."""
