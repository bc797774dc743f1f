"""The REST API (FastAPI): commands through the workflows, reads from the read models, users
with roles scoped to the org tree. `infra.api.app.create_api` builds it; docs/api.md tells it."""
