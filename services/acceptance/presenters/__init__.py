"""Rows => responses.

- `acceptances`: the summary, the committee's view, the verification, the record (JSON) and
  a signed link to the printable record.
- `record_html`: the record (验收记录) as a printable HTML document, for people (Beijing time).
"""
