"""Use cases of the acceptance service: load (locked) via the repository, apply the rule,
flush, stage the events.

- `sessions`: open a session (`project.completed`), schedule a round, open the next round
  (`project.rectified`).
- `signatures`: a party signs the current round; the last signature decides it.
- `reading`: what a reader may see, the record with its chain checked, and the signed link
  a browser opens the printable record with.
- `complaints`: the projection of the complaints service's facts.
"""
