"""The API's presentation layer, one module per group of views (as `creditdesk.api.views`):
`contracts` (customers, contacts, plans, contracts and their SLA compliance), `credits`,
`tickets` and `billing`; `common` holds what they share (input bounds, the fields for money,
instants, months and seconds, the narrowing of choices to the caller's rows). Views import
the serializers they use from those modules; nothing is re-exported here.

No business rule lives here: fields parse and bound the input (types, lengths, the
database's integer range), services decide. Output serializers are read-only.
"""
