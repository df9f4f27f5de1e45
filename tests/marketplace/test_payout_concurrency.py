"""50 withdrawals at once against a balance that covers 7: PostgreSQL, real connections."""

import pytest

from marketplace import services
from marketplace.models import AccountKind, LedgerAccount, Payout
from tests.marketplace.test_concurrency import _postgres_only, _race  # noqa: F401  (the fixture guards this module)
from tests.marketplace.test_ledger import _attributed_order, _complete, balance
from tests.marketplace.test_reversals import _pay

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(databases=["default", "marketplace"], transaction=True),
]


def test_fifty_concurrent_withdrawals_take_exactly_what_the_balance_covers(settings):
    settings.DISBURSEMENT_SIMULATOR_ENABLED, settings.DISBURSEMENT_SIM_SECRET = True, "test-disbursement-secret"
    settings.PLATFORM_FEE_FIXED, settings.PLATFORM_FEE_BP, settings.PLATFORM_FEE_VAT_BP = 1250, 100, 1100
    order = _attributed_order()
    _pay(order)
    _complete(order)
    assert balance(AccountKind.SHOP_AVAILABLE, order.shop_id) == 186_393  # covers 7 x 25.000, not 8
    account = services.bank_account_add(payee_kind="shop", payee_id=order.shop_id, bank_code="bca", number="1234567890")

    outcomes, _payouts, seconds = _race(
        [
            lambda n=n: services.payout_request(
                payee_kind="shop",
                payee_id=order.shop_id,
                bank_account_id=account.id,
                amount=25_000,
                idempotency_key=f"race-{n}",
            )
            for n in range(50)
        ]
    )

    print(f"withdrawals: {dict(outcomes)} in {seconds:.2f}s")
    assert outcomes == {"ok": 7, "balance_too_low": 43}
    assert Payout.objects.count() == 7
    available = LedgerAccount.objects.get(kind=AccountKind.SHOP_AVAILABLE, holder_id=order.shop_id)
    assert available.balance == 186_393 - 7 * 25_000
