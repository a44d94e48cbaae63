"""Where rows are read and written: `reports` (locked loads of a report, its history, pages,
statistics, the Open311 queries) and `boards` (site boards and the sites they belong to).

Every read of a row for a write goes through `shared.repository.load_for_update` here, so it
is locked and its version checked on the locked row.
"""
