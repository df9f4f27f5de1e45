import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connections
from django.utils import translation

from config.celery import app as celery_app
from config.roles import ROLE_PERMISSIONS, roles_sync
from integration.relay import relay_all_outboxes
from integration.transport import marketplace
from marketplace.couriers import ensure_default_couriers
from marketplace.models import Courier
from storefront.services import product_cards_rebuild, shop_cards_rebuild
from tests.postgres import postgres_unavailable

ALL_DATABASES = ["default", "storefront", "marketplace"]


def pytest_configure(config):
    # The suite signs up a thousand users; production's deliberately slow hasher
    # (about a second of CPU each on this kind of machine) would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def on_postgres() -> bool:
    return all(connections[alias].vendor == "postgresql" for alias in ALL_DATABASES)


@pytest.fixture(autouse=True)
def _celery_mode(request):
    """Tasks run in-process unless a test asks for the real worker."""
    eager = request.node.get_closest_marker("worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _marketplace_availability_forgotten():
    """A test that found the marketplace down must not leave its notice to the next one."""
    from integration.availability import KEY

    yield
    cache.delete(KEY)


@pytest.fixture
def port(request):
    """The marketplace port; contract tests get it once in process and once over HTTP
    to a separate server process (see pytest_generate_tests)."""
    if getattr(request, "param", "inprocess") == "inprocess":
        return marketplace()
    if not on_postgres():
        postgres_unavailable(
            "the HTTP transport runs against a marketplace server on PostgreSQL (the CI's PostgreSQL run)"
        )
    return request.getfixturevalue("http_port")


# --- The HTTP transport against a marketplace server process ------------------------------


@pytest.fixture(scope="session")
def marketplace_server(django_db_setup, django_db_blocker):
    from tests.integration.processes import start_marketplace_server, stop

    server, url = start_marketplace_server()
    yield url
    stop(server)


@pytest.fixture
def http_port(marketplace_server):
    from integration.contracts import MarketplacePort
    from integration.http import HttpPort
    from tests.integration.processes import SERVICE_TOKEN

    port = HttpPort(MarketplacePort, base_url=marketplace_server, token=SERVICE_TOKEN)
    yield port
    port.close()


def pytest_generate_tests(metafunc):
    if "port" in metafunc.fixturenames and "/contract/" in metafunc.definition.nodeid:
        metafunc.parametrize("port", ["inprocess", "http"], indirect=True)


def pytest_collection_modifyitems(items):
    """The server process sees only committed rows: its tests run in real transactions.

    Tests that start a Celery worker share one Redis broker queue, so under pytest-xdist
    (`--dist loadgroup`) they all run on the same test process, one after another."""
    for item in items:
        if item.get_closest_marker("worker") is not None:
            item.add_marker(pytest.mark.xdist_group("celery-worker"))
        callspec = getattr(item, "callspec", None)
        if callspec is None or callspec.params.get("port") != "http":
            continue
        marker = item.get_closest_marker("django_db")
        databases = marker.kwargs.get("databases", "__all__") if marker else "__all__"
        item.add_marker(pytest.mark.django_db(databases=databases, transaction=True), append=False)


@pytest.fixture
def relay():
    """Delivers every pending outbox event now; returns how many were delivered."""
    return relay_all_outboxes


@pytest.fixture
def rebuild_cards(port):
    def rebuild():
        shop_cards_rebuild(port=port)
        return product_cards_rebuild(port=port)

    return rebuild


# --- Marketplace reference data ------------------------------------------------------


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Couriers and roles come from data migrations, which a transactional test's flush
    wipes; each database test puts back what its databases are missing."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    databases = marker.kwargs.get("databases", ["default"])
    touches = (lambda alias: True) if databases == "__all__" else (lambda alias: alias in databases)
    if touches("marketplace") or touches("default"):
        request.getfixturevalue("_django_db_helper")
    if touches("marketplace"):
        ensure_default_couriers(Courier, "marketplace")
    # A full sync costs about 80 queries; one query tells whether a flush wiped the roles.
    if touches("default") and Group.objects.using("default").filter(name__in=ROLE_PERMISSIONS).count() < len(
        ROLE_PERMISSIONS
    ):
        roles_sync(django_apps, "default")


# --- Language --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted by their English msgids, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def indonesian(settings):
    """For the tests of the Indonesian catalogue: the site's own default language."""
    settings.LANGUAGE_CODE = "id"
    with translation.override("id"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached fragments outlive a test's rolled-back rows; every test starts without them."""
    cache.clear()
    yield
    cache.clear()
