"""The marketplace's implementation of `MarketplacePort`, loaded by the integration
transport. It only translates: every read is a selector, every write a service."""

from datetime import date

from django.utils.translation import gettext as _

from integration import contracts

from . import selectors, services
from .models import PayeeKind

CREATOR = PayeeKind.CREATOR


class MarketplaceProvider:
    def get_products(self, product_ids: list[int]) -> list[contracts.ProductDetail]:
        return selectors.product_details(list(product_ids))

    def get_product(self, product_id: int) -> contracts.ProductDetail:
        found = selectors.product_details([product_id])
        if not found:
            raise contracts.NotFound(_("Product not found."))
        return found[0]

    def list_product_summaries(self, *, after_id: int = 0, limit: int = 500) -> list[contracts.ProductSummary]:
        return selectors.product_summaries_after(after_id=after_id, limit=min(limit, 2000))

    def list_categories(self) -> list[contracts.CategoryDTO]:
        return selectors.categories()

    def list_couriers(self) -> list[contracts.CourierDTO]:
        return selectors.couriers()

    def list_reviews(self, *, product_id: int, limit: int = 20) -> list[contracts.ReviewDTO]:
        return selectors.reviews_for_product(product_id=product_id, limit=limit)

    def list_shop_vouchers(self, *, shop_id: int) -> list[contracts.ShopVoucherDTO]:
        return selectors.shop_vouchers_open(shop_id)

    def list_shop_summaries(self, *, after_id: int = 0, limit: int = 500) -> list[contracts.ShopSummary]:
        return selectors.shop_summaries_after(after_id=after_id, limit=min(limit, 2000))

    def open_shop(self, command: contracts.ShopOpenCommand) -> contracts.ShopSummary:
        shop = services.shop_open(
            owner_user_id=command.owner_user_id,
            name=command.name,
            slug=command.slug,
            city=command.city,
            province=command.province,
            pickup_address=command.pickup_address,
            phone=command.phone,
            declares_local_business=command.declares_local_business,
            nib=command.nib,
        )
        return selectors.shop_summary_by_id(shop.id)

    def get_cart(self, buyer_id: int) -> contracts.CartDTO:
        return selectors.cart_dto(buyer_id)

    def preview_checkout(
        self,
        *,
        buyer_id: int,
        province: str,
        shipping: tuple[contracts.ShippingChoice, ...] = (),
        vouchers: tuple[contracts.VoucherChoice, ...] = (),
        platform_voucher: str = "",
    ) -> contracts.CheckoutPreview:
        return services.checkout_preview(
            buyer_id=buyer_id,
            province=province,
            shipping=shipping,
            vouchers=vouchers,
            platform_voucher=platform_voucher,
        )

    def get_order(self, *, buyer_id: int, order_id: int) -> contracts.OrderDTO:
        return selectors.order_for_buyer(buyer_id=buyer_id, order_id=order_id)

    def list_orders(self, buyer_id: int) -> list[contracts.OrderDTO]:
        return selectors.orders_for_buyer(buyer_id)

    def get_payment(self, *, buyer_id: int, payment_id: int) -> contracts.PaymentDTO:
        return selectors.payment_dto(selectors.payment_by_id(payment_id, buyer_id=buyer_id))

    def add_to_cart(self, *, buyer_id: int, variant_id: int, quantity: int) -> contracts.CartDTO:
        services.cart_add_item(buyer_id=buyer_id, variant_id=variant_id, quantity=quantity)
        return selectors.cart_dto(buyer_id)

    def update_cart_line(self, *, buyer_id: int, line_id: int, quantity: int) -> contracts.CartDTO:
        services.cart_update_line(buyer_id=buyer_id, line_id=line_id, quantity=quantity)
        return selectors.cart_dto(buyer_id)

    def checkout(self, command: contracts.CheckoutCommand) -> contracts.CheckoutResult:
        orders = services.checkout_place(command=command)
        payment = None
        payment_id = next((o.payment_id for o in orders if o.payment_id), None)
        if payment_id is not None:
            # The checkout transaction has committed: the gateway is asked without any stock lock.
            try:
                opened = services.payment_open_session(payment_id=payment_id)
            except contracts.Unavailable:  # the orders are placed: "Pay now" opens the page later
                opened = selectors.payment_by_id(payment_id)
            payment = selectors.payment_dto(opened, order_ids=[o.id for o in orders if o.payment_id == payment_id])
        placed = selectors.orders_for_buyer(command.buyer_id, order_ids=[o.id for o in orders])
        return contracts.CheckoutResult(orders=tuple(sorted(placed, key=lambda o: o.id)), payment=payment)

    def start_payment(self, *, buyer_id: int, order_id: int) -> contracts.PaymentDTO:
        payment = services.payment_for_order(buyer_id=buyer_id, order_id=order_id)
        return selectors.payment_dto(selectors.payment_by_id(payment.id))

    def confirm_delivery(self, *, buyer_id: int, order_id: int) -> contracts.OrderDTO:
        services.order_deliver(order_id=order_id, buyer_id=buyer_id)
        return selectors.order_for_buyer(buyer_id=buyer_id, order_id=order_id)

    def submit_review(self, *, buyer_id: int, order_line_id: int, stars: int, text: str) -> contracts.ReviewDTO:
        review = services.review_submit(buyer_id=buyer_id, order_line_id=order_line_id, stars=stars, text=text)
        return selectors.reviews_for_product(product_id=review.product_id, limit=1)[0]

    # A creator's money: the storefront vouches for the creator id.

    def get_creator_balance(self, *, creator_id: int) -> contracts.BalanceDTO:
        return selectors.payee_balance(CREATOR, creator_id)

    def get_creator_statement(self, *, creator_id: int, date_from: date, date_to: date) -> contracts.StatementDTO:
        return selectors.payee_statement(CREATOR, creator_id, date_from=date_from, date_to=date_to)

    def list_creator_bank_accounts(self, *, creator_id: int) -> list[contracts.BankAccountDTO]:
        return [selectors.bank_account_dto(a) for a in selectors.bank_accounts_of(CREATOR, [creator_id])]

    def add_creator_bank_account(self, *, creator_id: int, bank_code: str, number: str) -> contracts.BankAccountDTO:
        account = services.bank_account_add(payee_kind=CREATOR, payee_id=creator_id, bank_code=bank_code, number=number)
        return selectors.bank_account_dto(account)

    def list_creator_payouts(self, *, creator_id: int) -> list[contracts.PayoutDTO]:
        return [selectors.payout_dto(p) for p in selectors.payouts_of(CREATOR, [creator_id])]

    def request_creator_payout(
        self, *, creator_id: int, bank_account_id: int, amount: int, idempotency_key: str
    ) -> contracts.PayoutDTO:
        payout = services.payout_request(
            payee_kind=CREATOR,
            payee_id=creator_id,
            bank_account_id=bank_account_id,
            amount=amount,
            idempotency_key=idempotency_key,
        )
        return selectors.payout_dto(payout)
