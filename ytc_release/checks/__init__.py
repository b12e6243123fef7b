"""Repository checks: `ytc-release check`, the CI guards, the workflow linters."""
