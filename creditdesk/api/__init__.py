"""Creditdesk's REST API (`/api/v1/`): thin views over the apps' services and selectors.

Layout: `permissions` (the per-action check on `creditdesk.roles`), `errors` (one error
shape and the status of every refusal code), `idempotency` (the Idempotency-Key header),
`throttling` (rate limits), `filters`, `serializers/` and `views/` (one module per app),
`schema` (OpenAPI additions).
"""
