"""Template context of the storefront's pages."""

from django.utils.functional import SimpleLazyObject

from . import selectors


def wishlist(request):
    """`wishlisted`: the signed-in shopper's saved product ids, read once and only when a
    page shows a heart, so the cards of a page cost one query together, none each."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"wishlisted": frozenset()}
    return {"wishlisted": SimpleLazyObject(lambda: selectors.wishlisted_product_ids(user_id=user.id))}
