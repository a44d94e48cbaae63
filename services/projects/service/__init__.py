"""Use cases, one module per aggregate: `communities` (the pilot seed, jurisdiction,
boundary), `planning` (surveys, plans), `projects` (the lifecycle), `preparation`
(construction plan, heritage review), `site_work` (progress, hidden works) and `attachments`
(files on disk)."""
