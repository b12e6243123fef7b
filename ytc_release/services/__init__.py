"""The services: their pins, their hash locks, the fleet, the smoke test."""
