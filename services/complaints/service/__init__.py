"""Use cases of the complaints service: `reports` (file, step through the workflow),
`boards` (publish a site board), `escalation` (the SLA scan, re-dating estimated clocks),
`duplicates` (nearby reports, "me too" supporters, merges), `photos` (reporters' uploads,
a photo added to a filed report, deleting uploads nobody cited) and `contacts` (a reporter's
personal data: displays and their audit, erasure on request and after retention, revoking a
report's tokens). They flush and stage events; they never commit."""
