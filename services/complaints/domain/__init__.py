"""Pure rules of the complaints service (no I/O): `workflow` (the report's steps, SLA clock,
escalation, tracking codes), `routing` (a report's community and routed org) and `contacts`
(phone numbers, names, masking)."""
