"""Index administration: the embedded index, its accounts, the client that lists and uploads."""
