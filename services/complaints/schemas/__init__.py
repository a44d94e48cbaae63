"""API models of the complaints service: `fields` (shared field types), `boards`, `reports`,
`contacts` (the contact audit) and `open311` (the GeoReport v2 vocabulary and its form and
query arguments)."""
