"""Use cases of the property service: compounds and registers, trials, votes.

Each loads what it changes through `services.property.repository` (locked, version checked
there), applies a rule of `domain`, flushes and stages its events; the request's (or the
consumed event's) transaction commits.
"""
