"""Signals between the apps above contracts, defined below them so that peers never import
each other (tickets and billing sit side by side in the layer contract).

`onsite_work_logged` is sent by tickets inside the work log's transaction with `contract`,
`performed_on` (the customer's local date), `description` and `reference` (unique per
visit); billing records the plan's on-site surcharge for the monthly invoice.
"""

from django.dispatch import Signal

onsite_work_logged = Signal()
