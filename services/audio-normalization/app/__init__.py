"""The audio-normalization service."""
