"""Pure rules of the acceptance service, no I/O.

- `rounds`: who must sign, who may sign, how a round ends.
- `chain`: the tamper-evident hash chain over the signatures, returning the first break.
- `record_links`: signed, expiring links a browser opens the printable record with.
"""
