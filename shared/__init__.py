"""Infrastructure and event contracts shared by the four services.

Nothing here knows one service's business rules: settings, database sessions, the
CloudEvents envelope and catalog, the transactional outbox and its relay, inbox
de-duplication, the bus (Kafka and in-process), auth, problem+json errors,
idempotency, pagination and the service application factory.
"""
