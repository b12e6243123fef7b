"""The release pipeline: one module per step."""
