"""The payment providers' notification endpoints, mounted in every configuration: each
refuses (404) unless its provider is the configured gateway."""

from django.urls import path

from . import views

app_name = "providers"

urlpatterns = [
    path("gateway/midtrans/notification/", views.midtrans_notification, name="midtrans_notification"),
]
