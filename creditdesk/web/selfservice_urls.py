"""Routes of the subscriptions and bank transfers people start themselves (issue 18),
included by `creditdesk.web.urls` under its `web` namespace."""

from django.urls import path

from creditdesk.web.views import subscriptions, transfers

urlpatterns = [
    path("portal/subscription/", subscriptions.portal_subscription, name="subscription"),
    path("portal/subscription/subscribe/", subscriptions.portal_subscribe, name="subscribe"),
    path(
        "portal/subscription/<int:pk>/cancel/",
        subscriptions.portal_subscription_cancel,
        name="subscription-cancel",
    ),
    path(
        "workspace/customers/<int:pk>/subscription/",
        subscriptions.workspace_subscribe,
        name="customer-subscribe",
    ),
    path(
        "workspace/customers/<int:pk>/subscription/<int:sub>/cancel/",
        subscriptions.workspace_subscription_cancel,
        name="customer-subscription-cancel",
    ),
    path("portal/transfers/", transfers.portal_transfers, name="transfers"),
    path("transfers/<int:pk>/proof/", transfers.transfer_proof, name="transfer-proof"),
    path("workspace/finance/transfers/", transfers.finance_transfers, name="finance-transfers"),
    path(
        "workspace/finance/transfers/<int:pk>/confirm/",
        transfers.finance_transfer_confirm,
        name="finance-transfer-confirm",
    ),
    path(
        "workspace/finance/transfers/<int:pk>/reject/",
        transfers.finance_transfer_reject,
        name="finance-transfer-reject",
    ),
]
