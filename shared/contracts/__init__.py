"""Event payload contracts, one module per publishing service.

A service publishes only the types in its own module; consumers import the module of the
service they listen to. Importing this package registers every type in the catalog.
"""

from shared.contracts import acceptance, complaints, projects, property

__all__ = ["acceptance", "complaints", "projects", "property"]
