"""The small internal toolkit: subprocesses, HTTP, masking, ports, output, Redis, Dockerfiles."""
