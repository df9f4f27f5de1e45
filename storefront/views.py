"""Shopper pages. Discovery renders from the storefront database; cart, checkout
and orders go through `MarketplacePort`, which re-reads price and stock."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integration import contracts
from integration.transport import marketplace

from . import fragments, selectors
from .forms import AddToCartForm, CartLineForm, CheckoutForm
from .models import Post

ATTRIBUTION_SESSION_KEY = "attribution"


def _unavailable(request):
    return render(request, "storefront/unavailable.html", status=503, headers={"Retry-After": "30"})


def feed(request):
    # The template calls `posts` only when its cached fragment is missing.
    return render(
        request,
        "storefront/feed.html",
        {
            "posts": partial(selectors.post_list_for_feed, limit=20),
            "fragment_version": fragments.version(fragments.POSTS, fragments.CARDS),
        },
    )


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
    page = selectors.product_page(product_id, port=marketplace())
    if page is None:
        raise Http404
    _remember_attribution(request, product_id)
    # Without a detail the card is shown; buying waits until the marketplace answers.
    return render(
        request,
        "storefront/product_detail.html",
        {"card": page.card, "detail": page.detail, "form": AddToCartForm(initial={"quantity": 1})},
    )


@login_required
def cart(request):
    try:
        cart = marketplace().get_cart(request.user.id)
    except contracts.Unavailable:
        return _unavailable(request)
    return render(request, "storefront/cart.html", {"cart": cart})


@login_required
@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a variant and a quantity."))
        return redirect(request.POST.get("next") or "storefront:cart")
    try:
        marketplace().add_to_cart(buyer_id=request.user.id, **form.cleaned_data)
    except contracts.Unavailable:
        return _unavailable(request)
    except contracts.PortError as error:
        messages.error(request, error.message)
        return redirect(request.POST.get("next") or "storefront:cart")
    messages.success(request, _("Added to your cart."))
    return redirect("storefront:cart")


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
    form = CheckoutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        command = contracts.CheckoutCommand(
            buyer_id=request.user.id,
            address=contracts.Address(
                **{k: data[k] for k in ("recipient", "phone", "street", "city", "province", "postal_code")}
            ),
            payment_method=data["payment_method"],
            idempotency_key=data["idempotency_key"],
            attributions=_attributions(request),
        )
        try:
            result = port.checkout(command)
        except contracts.Unavailable:
            return _unavailable(request)
        except contracts.PortError as error:
            form.add_error(None, error.message)
            for messages_ in error.fields.values():
                for message in messages_:
                    form.add_error(None, message)
        else:
            request.session.pop(ATTRIBUTION_SESSION_KEY, None)
            messages.success(request, _("Thank you! Your order has been placed."))
            if len(result.orders) == 1:
                return redirect("storefront:order_detail", order_id=result.orders[0].id)
            return redirect("storefront:order_list")
    return render(request, "storefront/checkout.html", {"cart": cart, "form": form})


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
