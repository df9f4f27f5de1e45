"""Shared pieces of the marketplace tests: a buyer's address, checkout commands, carts."""

import itertools

from integration import contracts
from marketplace import services

ADDRESS = contracts.Address(
    recipient="Ayu Lestari",
    phone="0812 3456 7890",
    street="Jl. Malioboro 52",
    city="Yogyakarta",
    province="DI Yogyakarta",
    postal_code="55271",
)
_keys = itertools.count(1)


def command(buyer_id: int, *, key: str | None = None, method: str = "virtual_account", **extra):
    return contracts.CheckoutCommand(
        buyer_id=buyer_id,
        address=extra.pop("address", ADDRESS),
        payment_method=method,
        idempotency_key=key or f"key-{next(_keys)}",
        **extra,
    )


def fill_cart(buyer_id: int, *pairs) -> None:
    """pairs: (variant, quantity)..."""
    for variant, quantity in pairs:
        services.cart_add_item(buyer_id=buyer_id, variant_id=variant.id, quantity=quantity)


def place(buyer_id: int, *pairs, **extra):
    fill_cart(buyer_id, *pairs)
    return services.checkout_place(command=command(buyer_id, **extra))
