"""Activation routes (seed 004): the workspace's (list by due time, purchase, checklist,
catalogue) and the portal's (the customer's activations)."""

from django.urls import path

from creditdesk.web.views import activations

app_name = "activations"

urlpatterns = [
    path("workspace/activations/", activations.work_list, name="work"),
    path("workspace/activations/new/", activations.work_purchase, name="work-new"),
    path("workspace/activations/<int:pk>/", activations.work_activation, name="work-detail"),
    path(
        "workspace/activations/<int:pk>/steps/<int:step>/meet/",
        activations.work_step_meet,
        name="work-step-meet",
    ),
    path(
        "workspace/activations/<int:pk>/complete/",
        activations.work_complete,
        name="work-complete",
    ),
    path(
        "workspace/activations/<int:pk>/cancel/",
        activations.work_cancel,
        name="work-cancel",
    ),
    path("workspace/activations/products/", activations.work_products, name="products"),
    path("workspace/activations/products/new/", activations.work_product_new, name="product-new"),
    path(
        "workspace/activations/products/<int:pk>/",
        activations.work_product_edit,
        name="product-edit",
    ),
    path("portal/activations/", activations.portal_list, name="portal"),
]
