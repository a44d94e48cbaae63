"""Where rows are read and written: `reports` (locked loads of a report, its history, pages,
statistics, the Open311 queries), `boards` (site boards and the sites they belong to),
`jurisdictions` (each community's offices, and an office's area), `contacts` (reports
whose contact retention ran out, the reporter's own locked report, the contact audit) and
`photos` (reporters' uploads, the uncited ones a filing cites, locked).

Every read of a row for a write goes through `shared.repository.load_for_update` here, so it
is locked and its version checked on the locked row.
"""
