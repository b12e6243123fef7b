"""The video-downloader service."""
