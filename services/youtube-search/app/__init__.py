"""The youtube-search service."""
