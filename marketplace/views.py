"""The payment gateways' doors: the simulated gateways served by the marketplace on
this site, and the notification endpoint of Midtrans.

The simulator's hosted page stands in for a bank's or e-wallet's page; its callback
is the endpoint a real gateway would call, verifying the HMAC signature of the body.
"""

from functools import wraps

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import payments, selectors, services
from .services.payments import ACKNOWLEDGED, UNVERIFIED

SIGNATURE_HEADER = "HTTP_X_SIM_SIGNATURE"


def _simulator_only(view):
    """Refuses the view unless the simulated gateway is enabled: it takes payments nobody made."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PAYMENT_SIMULATOR_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_simulator_only
def gateway_sim(request, reference: str):
    payment = selectors.payment_by_reference(reference)
    if payment is None:
        raise Http404
    if request.method == "POST":
        # The gateway side of the simulation: it signs its notification as a real one
        # would and hands it to the very same verification the callback endpoint runs.
        gateway = payments.SimulatedGateway()
        body = gateway.notification_body(reference=payment.reference, amount=payment.amount)
        services.payment_notification_receive(body=body, signature=gateway.sign(body))
        return redirect(settings.PAYMENT_RETURN_URL)
    return render(request, "marketplace/gateway_sim.html", {"payment": payment})


@_simulator_only
@csrf_exempt  # called by the gateway, not a browser; authenticated by the HMAC signature
@require_POST
def gateway_sim_callback(request):
    outcome = services.payment_notification_receive(body=request.body, signature=request.META.get(SIGNATURE_HEADER, ""))
    return _answer(outcome)


def _answer(outcome: str) -> JsonResponse:
    # Acknowledge what was understood (a late payment is kept for a manual refund); refuse the
    # rest, asking for a retry when the gateway could not be asked to confirm.
    status = 200 if outcome in ACKNOWLEDGED else 503 if outcome == UNVERIFIED else 400
    return JsonResponse({"outcome": outcome}, status=status)


@csrf_exempt  # called by the disbursement gateway, not a browser; authenticated by the HMAC signature
@require_POST
def payout_sim_callback(request):
    """The simulated disbursement gateway's notification of a payout's outcome."""
    if not settings.DISBURSEMENT_SIMULATOR_ENABLED:
        raise Http404
    outcome = services.payout_notification_receive(body=request.body, signature=request.META.get(SIGNATURE_HEADER, ""))
    return JsonResponse({"outcome": outcome}, status=200 if outcome in ("accepted", "duplicate") else 400)


@csrf_exempt  # called by Midtrans, not a browser; authenticated by the body's signature_key
@require_POST
def midtrans_notification(request):
    """Midtrans's "Payment Notification URL": a JSON body, signed inside."""
    if payments.gateway_name() != "midtrans":
        raise Http404
    return _answer(services.payment_notification_receive(body=request.body, signature=""))
