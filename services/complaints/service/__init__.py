"""Use cases of the complaints service: `reports` (file, step through the workflow),
`boards` (publish a site board) and `escalation` (the SLA scan). They flush and stage events;
they never commit."""
