from django.urls import path

from . import views

app_name = "marketplace"

urlpatterns = [
    path("gateway/sim/callback/", views.gateway_sim_callback, name="gateway_sim_callback"),
    path("gateway/sim/payouts/callback/", views.payout_sim_callback, name="payout_sim_callback"),
    path("gateway/sim/<str:reference>/", views.gateway_sim, name="gateway_sim"),
]
