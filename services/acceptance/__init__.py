"""The acceptance service (port 8002)."""
