"""Creditdesk's REST API (`/api/v1/`): thin views over the apps' services and selectors.

Layout: `access` (who may see and do what), `errors` (one error shape and the status of every
refusal code), `idempotency` (the Idempotency-Key header), `throttling` (rate limits),
`filters`, `serializers`, `views/` (one module per app), `schema` (OpenAPI additions).
"""
