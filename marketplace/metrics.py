"""The marketplace's figures for a metrics scraper.

The ledger's are read from the database at each scrape, so every web process answers the same
whatever process ran the reconciliation. Checkouts, payouts and refunds are counted by the
process that ran the service (`config.metrics` says how processes are summed), after the
service's transaction committed: a rolled-back attempt counts only as refused."""

from collections.abc import Iterator

from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .models import Payout, PayoutStatus, ReconciliationRun

ALIAS = "marketplace"

CHECKOUTS = Counter(
    "jalin_checkouts",
    "Checkouts by outcome: placed (orders created), replayed (the same idempotency key again), "
    "refused (invalid, out of stock, price changed, key reused...).",
    ["outcome"],
)
PAYOUTS = Counter(
    "jalin_payouts",
    "Withdrawals by outcome: requested (money moved to in flight), succeeded, failed (money returned).",
    ["outcome"],
)
REFUNDS = Counter(
    "jalin_refunds",
    "Paid orders refunded, by path: cancelled (before shipping) or returned (delivered or completed).",
    ["path"],
)


class LedgerCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        last = ReconciliationRun.objects.using(ALIAS).order_by("-id").first()
        if last is not None:
            yield GaugeMetricFamily(
                "jalin_ledger_reconciliation_differences",
                "Accounts whose kept balance differed from their entries at the last reconciliation (alarm above 0).",
                value=len(last.differences),
            )
            yield GaugeMetricFamily(
                "jalin_ledger_reconciliation_accounts",
                "Accounts recomputed by the last reconciliation.",
                value=last.accounts,
            )
            yield GaugeMetricFamily(
                "jalin_ledger_reconciliation_last_run_timestamp_seconds",
                "When the last reconciliation ran (Unix time).",
                value=last.ran_at.timestamp(),
            )
        yield GaugeMetricFamily(
            "jalin_payouts_in_flight",
            "Withdrawals sent to the disbursement gateway and not yet settled.",
            value=Payout.objects.using(ALIAS).filter(status=PayoutStatus.REQUESTED).count(),
        )
