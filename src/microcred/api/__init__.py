"""The register's HTTP API under /api/v1 (FastAPI routers, one per resource)."""
