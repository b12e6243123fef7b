"""Release tooling for ytcaption-common: build, check, publish, verify, pin."""
