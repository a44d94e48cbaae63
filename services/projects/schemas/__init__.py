"""API request and response models: `planning` (communities, surveys, plans), `projects`
(projects, budget, preparation) and `site` (progress, hidden works, attachments)."""
