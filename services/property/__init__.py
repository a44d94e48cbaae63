"""The property service (port 8004)."""
