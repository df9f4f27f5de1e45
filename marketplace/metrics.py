"""The marketplace's figures for a metrics scraper: read from the database at each scrape, so
every web process answers the same whatever process ran the reconciliation."""

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .models import Payout, PayoutStatus, ReconciliationRun

ALIAS = "marketplace"


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
