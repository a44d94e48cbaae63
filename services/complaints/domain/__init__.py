"""Pure rules of the complaints service (no I/O): `workflow` (the report's steps, SLA clock,
escalation, tracking codes), `routing` (a report's community and routed org, by the place it
names or by its location), `duplicates` (nearby reports, supporters, merges), `contacts`
(phone numbers, names, masking), `photos` (what a report may cite, how long an upload waits)
and `personal_data` (how long a reporter's contact is kept)."""
