"""A Celery queue per context when the sides run apart; one shared queue otherwise."""

import pytest
from django.test import override_settings

from config.celery import app
from integration.routing import route_task


@pytest.mark.parametrize(
    ("name", "args", "queue"),
    [
        ("integration.relay_outbox", ("marketplace.OutboxEvent",), "marketplace"),
        ("integration.relay_outbox", ("storefront.OutboxEvent",), "storefront"),
        ("marketplace.expire_unpaid_orders", (), "marketplace"),
        ("storefront.flush_post_views", (), "storefront"),
    ],
)
def test_with_context_queues_each_task_goes_to_its_side(name, args, queue):
    with override_settings(INTEGRATION_CONTEXT_QUEUES=True):
        assert route_task(name, args, {}, {}) == {"queue": queue}


def test_the_sweep_and_unknown_tasks_stay_on_the_default_queue():
    with override_settings(INTEGRATION_CONTEXT_QUEUES=True):
        assert route_task("integration.relay_all_outboxes", (), {}, {}) is None
        assert route_task("celery.backend_cleanup", (), {}, {}) is None


def test_without_context_queues_nothing_is_routed():
    assert route_task("marketplace.expire_unpaid_orders", (), {}, {}) is None


def test_celery_asks_the_router_for_a_relay_task():
    with override_settings(INTEGRATION_CONTEXT_QUEUES=True):
        route = app.amqp.router.route({}, "integration.relay_outbox", args=("marketplace.OutboxEvent",), kwargs={})
    assert route["queue"].name == "marketplace"


@pytest.mark.django_db(databases="__all__")
def test_the_sweep_with_context_queues_asks_each_outbox_s_side_to_relay(monkeypatch):
    from integration import tasks

    sent = []
    monkeypatch.setattr(tasks.relay_outbox_task, "delay", lambda label: sent.append(label))
    with override_settings(INTEGRATION_CONTEXT_QUEUES=True):
        assert tasks.relay_all_outboxes_task() == 0
    assert sent == ["marketplace.OutboxEvent"]
