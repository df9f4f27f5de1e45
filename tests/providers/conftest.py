import pytest

from tests.providers.midtrans_server import MidtransServer

SERVER_KEY = "SB-Mid-server-contract-test-key"


@pytest.fixture
def midtrans(settings):
    """Midtrans as the gateway, talking to a local contract server over HTTP."""
    server = MidtransServer(SERVER_KEY).start()
    settings.PAYMENT_GATEWAY = "marketplace.providers.midtrans.MidtransGateway"
    settings.MIDTRANS_SERVER_KEY = SERVER_KEY
    settings.MIDTRANS_SNAP_BASE_URL = settings.MIDTRANS_API_BASE_URL = server.url
    settings.MIDTRANS_RETRIES, settings.MIDTRANS_RETRY_BACKOFF_SECONDS = 2, 0.0
    settings.MIDTRANS_TIMEOUT_SECONDS = 5.0
    yield server
    server.stop()
