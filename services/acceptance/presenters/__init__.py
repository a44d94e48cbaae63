"""Rows => responses.

- `acceptances`: the summary, the committee's view, the verification and the record (JSON).
- `record_html`: the record (验收记录) as a printable HTML document.
"""
