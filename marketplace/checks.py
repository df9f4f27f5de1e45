"""System checks of the marketplace: refuse to run a guessable payment simulator, or online
payment without a gateway."""

from django.conf import settings
from django.core import checks

# The development default in config.settings: public, so it signs nothing outside DEBUG.
PUBLIC_DEFAULT_SIM_SECRET = "insecure-simulated-gateway-secret"
MIN_SIM_SECRET_LENGTH = 32


@checks.register(checks.Tags.security)
def payment_simulator_secret(app_configs=None, **kwargs):
    """With the simulator enabled outside DEBUG, its callback secret must be long and not the public default:
    anyone knowing the key can sign a "paid" notification."""
    if not getattr(settings, "PAYMENT_SIMULATOR_ENABLED", False) or settings.DEBUG:
        return []
    secret = getattr(settings, "PAYMENT_SIM_SECRET", "") or ""
    if secret == PUBLIC_DEFAULT_SIM_SECRET or len(secret) < MIN_SIM_SECRET_LENGTH:
        return [
            checks.Error(
                "PAYMENT_SIM_SECRET is empty, too short or the public default while the payment simulator is enabled.",
                hint=f"Set PAYMENT_SIM_SECRET to a random string of at least {MIN_SIM_SECRET_LENGTH} characters "
                "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), or disable the simulator.",
                id="marketplace.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def disbursement_simulator_secret(app_configs=None, **kwargs):
    """The same for the simulated payouts: a known key signs a "sent" callback."""
    if not getattr(settings, "DISBURSEMENT_SIMULATOR_ENABLED", False) or settings.DEBUG:
        return []
    secret = getattr(settings, "DISBURSEMENT_SIM_SECRET", "") or ""
    if secret.startswith("insecure-") or len(secret) < MIN_SIM_SECRET_LENGTH:
        return [
            checks.Error(
                "DISBURSEMENT_SIM_SECRET is empty, too short or the public default while the simulator is enabled.",
                hint=f"Set DISBURSEMENT_SIM_SECRET to a random string of at least {MIN_SIM_SECRET_LENGTH} characters.",
                id="marketplace.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def online_payment_gateway(app_configs=None, **kwargs):
    """Outside DEBUG, offering online payment needs a gateway that can be built: a configured
    provider (Midtrans with its server key) or an enabled simulator. Without one every online
    checkout would be refused while the pages still offer it."""
    if settings.DEBUG or not getattr(settings, "PAYMENT_ONLINE_ENABLED", True):
        return []
    from .payments import online_payment_available

    if online_payment_available():
        return []
    return [
        checks.Error(
            f"Online payment is offered but its gateway {settings.PAYMENT_GATEWAY!r} cannot be used.",
            hint="Set MIDTRANS_SERVER_KEY (and MIDTRANS_CLIENT_KEY, MIDTRANS_PRODUCTION) for Midtrans, "
            "enable the simulator (PAYMENT_SIMULATOR_ENABLED with its PAYMENT_SIM_SECRET), "
            "or set PAYMENT_ONLINE_ENABLED=false to take cash on delivery only.",
            id="marketplace.E003",
        )
    ]
