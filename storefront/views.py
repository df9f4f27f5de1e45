"""Shopper pages. Discovery renders from the storefront database; cart, checkout
and orders go through `MarketplacePort`, which re-reads price and stock."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integration import contracts
from integration.transport import marketplace

from . import selectors
from .forms import AddToCartForm, CartLineForm, CheckoutForm
from .models import Post
from .redirects import safe_next

ATTRIBUTION_SESSION_KEY = "attribution"


def _unavailable(request):
    if request.htmx:
        # htmx swaps no 5xx answer in; the shopper would see nothing happen.
        text = _("Checkout is unavailable for a moment. Please try again in a minute.")
        return render(request, "storefront/_cart_status.html", {"ok": False, "text": text})
    response = render(request, "storefront/unavailable.html", status=503)
    response["Retry-After"] = "30"
    return response


def feed(request):
    return render(request, "storefront/feed.html", {"posts": selectors.post_list_for_feed(limit=20)})


def post_detail(request, post_id: int):
    view = selectors.post_detail(post_id)
    if view is None:
        raise Http404
    return render(request, "storefront/post_detail.html", {"view": view})


def _remember_attribution(request, product_id: int) -> None:
    """A product reached from a post keeps that origin until checkout."""
    post_id = request.GET.get("post", "")
    if not post_id.isdigit():
        return
    post = Post.objects.using("storefront").filter(id=int(post_id)).only("creator_id").first()
    if post is None:
        return
    origins = request.session.get(ATTRIBUTION_SESSION_KEY, {})
    origins[str(product_id)] = {"source": "post", "creator_id": post.creator_id, "post_id": post.id}
    request.session[ATTRIBUTION_SESSION_KEY] = origins


def _attributions(request) -> tuple[contracts.Attribution, ...]:
    origins = request.session.get(ATTRIBUTION_SESSION_KEY, {})
    return tuple(contracts.Attribution(product_id=int(pid), **origin) for pid, origin in origins.items())


def product_detail(request, product_id: int):
    card = selectors.product_card(product_id)
    if card is None:
        raise Http404
    _remember_attribution(request, product_id)
    try:
        detail = marketplace().get_product(product_id)
    except contracts.NotFound:
        raise Http404 from None
    except contracts.Unavailable:
        detail = None  # show the card; buying waits until the marketplace answers
    return render(
        request,
        "storefront/product_detail.html",
        {"card": card, "detail": detail, "form": AddToCartForm(initial={"quantity": 1})},
    )


@login_required
def cart(request):
    try:
        cart = marketplace().get_cart(request.user.id)
    except contracts.Unavailable:
        return _unavailable(request)
    return render(request, "storefront/cart.html", {"cart": cart})


def _cart_added(request, *, ok: bool, text: str, cart=None):
    """htmx asks for the small status fragment; a plain form post gets the cart page."""
    if request.htmx:
        return render(request, "storefront/_cart_status.html", {"ok": ok, "text": text, "cart": cart})
    (messages.success if ok else messages.error)(request, text)
    if ok:
        return redirect("storefront:cart")
    return redirect(safe_next(request) or "storefront:cart")


@login_required
@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        return _cart_added(request, ok=False, text=_("Choose a variant and a quantity between 1 and 999."))
    try:
        cart = marketplace().add_to_cart(buyer_id=request.user.id, **form.cleaned_data)
    except contracts.Unavailable:
        return _unavailable(request)
    except contracts.PortError as error:
        return _cart_added(request, ok=False, text=error.message)
    return _cart_added(request, ok=True, text=_("Added to your cart."), cart=cart)


@login_required
@require_POST
def cart_update(request, line_id: int):
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a quantity between 0 and 999."))
        return redirect("storefront:cart")
    try:
        marketplace().update_cart_line(buyer_id=request.user.id, line_id=line_id, **form.cleaned_data)
    except contracts.Unavailable:
        return _unavailable(request)
    except contracts.PortError as error:
        messages.error(request, error.message)
    return redirect("storefront:cart")


@login_required
def checkout(request):
    port = marketplace()
    try:
        cart = port.get_cart(request.user.id)
    except contracts.Unavailable:
        return _unavailable(request)
    addresses = selectors.address_list_for_user(request.user.id)
    form = CheckoutForm(request.POST or None, addresses=addresses)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        command = contracts.CheckoutCommand(
            buyer_id=request.user.id,
            address=contracts.Address(**form.address_values()),
            payment_method=data["payment_method"],
            idempotency_key=data["idempotency_key"],
            attributions=_attributions(request),
        )
        try:
            result = port.checkout(command)
        except contracts.Unavailable:
            return _unavailable(request)
        except contracts.PortError as error:
            _show_port_error(form, error)
            cart = _fresh_cart(port, request.user.id, cart)
        else:
            request.session.pop(ATTRIBUTION_SESSION_KEY, None)
            messages.success(request, _("Thank you! Your order has been placed."))
            if len(result.orders) == 1:
                return redirect("storefront:order_detail", order_id=result.orders[0].id)
            return redirect("storefront:order_list")
    changes = [line for line in cart.lines if line.price_changed or line.short_of_stock]
    return render(request, "storefront/checkout.html", {"cart": cart, "form": form, "changes": changes})


def _show_port_error(form: CheckoutForm, error: contracts.PortError) -> None:
    """Each message goes next to its field when the form has that field, else on top."""
    placed = False
    for name, field_messages in error.fields.items():
        for message in field_messages:
            form.add_error(name if name in form.fields and not form[name].is_hidden else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def _fresh_cart(port, buyer_id: int, fallback: contracts.CartDTO) -> contracts.CartDTO:
    """After a refused checkout, show the cart as the marketplace sees it now (price, stock)."""
    try:
        return port.get_cart(buyer_id)
    except contracts.Unavailable:
        return fallback


@login_required
def order_list(request):
    try:
        orders = marketplace().list_orders(request.user.id)
    except contracts.Unavailable:
        return _unavailable(request)
    return render(request, "storefront/order_list.html", {"orders": orders})


@login_required
def order_detail(request, order_id: int):
    try:
        order = marketplace().get_order(buyer_id=request.user.id, order_id=order_id)
    except contracts.NotFound:
        raise Http404 from None
    except contracts.Unavailable:
        return _unavailable(request)
    return render(request, "storefront/order_detail.html", {"order": order})
