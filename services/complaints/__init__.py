"""The complaints service (port 8003)."""
