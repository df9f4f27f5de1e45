"""The reconciliation's alarm as a metric: /internal/metrics, for a scraper on the private network."""

import pytest

from marketplace.models import AccountKind, LedgerAccount
from marketplace.tasks import reconcile_ledger
from tests.marketplace.test_ledger import _attributed_order
from tests.marketplace.test_reversals import _pay

pytestmark = pytest.mark.django_db(databases=["default", "marketplace"])


def _scrape(client, address="10.0.0.5"):
    return client.get("/internal/metrics", REMOTE_ADDR=address)


def _value(text: str, name: str) -> float:
    (line,) = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.split()[1])


def test_a_balance_that_differs_from_its_entries_raises_the_metric(client):
    _pay(_attributed_order())
    reconcile_ledger()
    clean = _scrape(client)

    LedgerAccount.objects.filter(kind=AccountKind.SHOP_PENDING).update(balance=1)
    reconcile_ledger()
    alarm = _scrape(client)

    assert clean.status_code == alarm.status_code == 200
    assert clean["Content-Type"].startswith("text/plain")
    assert _value(clean.text, "jalin_ledger_reconciliation_differences") == 0
    assert _value(alarm.text, "jalin_ledger_reconciliation_differences") == 1
    assert _value(alarm.text, "jalin_ledger_reconciliation_accounts") == LedgerAccount.objects.count()


def test_before_any_reconciliation_there_is_no_reading_to_alarm_on(client):
    text = _scrape(client).text

    assert "jalin_ledger_reconciliation_differences" not in text.replace("# HELP", "").replace("# TYPE", "")
    assert _value(text, "jalin_payouts_in_flight") == 0


def test_the_metrics_are_not_served_outside_the_private_network(client):
    reconcile_ledger()

    assert _scrape(client, address="203.0.113.9").status_code == 404
