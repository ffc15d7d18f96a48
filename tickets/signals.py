"""Signals other apps listen to, so tickets need not import them.

`onsite_work_logged` fires inside the work log's transaction with `contract`, `performed_on`
(the customer's local date), `description` and `reference` (unique per visit); billing
records the plan's on-site surcharge for the monthly invoice.
"""

from django.dispatch import Signal

onsite_work_logged = Signal()
