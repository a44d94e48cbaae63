"""Use cases, one module per aggregate: `planning` (communities, surveys, plans), `projects`
(the lifecycle), `preparation` (construction plan, heritage review), `site_work` (progress,
hidden works) and `attachments` (files on disk)."""
