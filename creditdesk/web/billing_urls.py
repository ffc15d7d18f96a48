from django.urls import path

from creditdesk.web.views import billing as views

app_name = "billing"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf_download, name="invoice-pdf"),
    path("finance-export/", views.finance_export, name="finance-export"),
]
