"""The projects service (port 8001)."""
