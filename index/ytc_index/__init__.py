"""The private package index: pypiserver with a backend and guards of our own."""
