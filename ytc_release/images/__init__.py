"""Image builds: every service image and the index image, with podman."""
