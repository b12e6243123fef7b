"""One thin module per `ytc-release` command: `register` adds its arguments,
`run` calls the library with the run's Settings. No command imports another."""
