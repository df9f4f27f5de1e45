"""Shopper pages. Discovery renders from the storefront database; cart, checkout
and orders go through `MarketplacePort`, which re-reads price and stock."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integration import contracts
from integration.transport import marketplace

from . import selectors, services
from .forms import AddToCartForm, CartLineForm, CheckoutForm, CommentForm, SearchForm
from .models import Creator

ATTRIBUTION_SESSION_KEY = "attribution"
# Query parameters of a product link that name its origin: ?post=, ?showcase=<creator id>, ?campaign=
ATTRIBUTION_PARAMS = {"post_id": "post", "creator_id": "showcase", "campaign_id": "campaign"}
FEED_PAGE_SIZE = 20


def _unavailable(request):
    response = render(request, "storefront/unavailable.html", status=503)
    response["Retry-After"] = "30"  # render() takes no headers argument
    return response


def _viewer_id(request) -> int | None:
    return request.user.id if request.user.is_authenticated else None


def _page_size(request) -> int:
    size = request.GET.get("size", "")
    return int(size) if size.isdigit() else FEED_PAGE_SIZE


def feed(request):
    """ "For you" (ranked) or "Following" (newest first), one cursor page at a time."""
    tab = "following" if request.GET.get("tab") == "following" else "for_you"
    cursor = request.GET.get("cursor") or None
    if tab == "following" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        if tab == "following":
            page = selectors.post_feed_following(user_id=request.user.id, cursor=cursor, limit=_page_size(request))
        else:
            page = selectors.post_feed_for_you(cursor=cursor, limit=_page_size(request), viewer_id=_viewer_id(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.message_dict["cursor"]))
        return render(request, "storefront/feed.html", {"tab": tab, "page": None}, status=400)
    return render(
        request, "storefront/feed.html", {"tab": tab, "page": page, "campaigns": selectors.campaign_list_live()}
    )


def post_detail(request, post_id: int):
    view = selectors.post_detail(post_id, viewer_id=_viewer_id(request))
    if view is None:
        raise Http404
    services.post_view_record(post_id=post_id)
    return render(
        request,
        "storefront/post_detail.html",
        {
            "view": view,
            "comments": selectors.comment_list(post_id=post_id),
            "comment_form": CommentForm(),
            "can_moderate": request.user.is_staff or view.post.creator.user_id == _viewer_id(request),
        },
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _write(request, command, fallback: str, *, done: str = ""):
    """Runs one service for a POST form, turning its validation errors into messages."""
    try:
        command()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        if done:
            messages.success(request, done)
    return _back(request, fallback)


@login_required
@require_POST
def post_like(request, post_id: int):
    command = services.post_unlike if request.POST.get("action") == "unlike" else services.post_like
    fallback = reverse("storefront:post_detail", args=[post_id])
    return _write(request, lambda: command(post_id=post_id, user_id=request.user.id), fallback)


@login_required
@require_POST
def comment_create(request, post_id: int):
    form = CommentForm(request.POST)
    fallback = reverse("storefront:post_detail", args=[post_id])
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(fallback)
    return _write(
        request,
        lambda: services.comment_create(
            post_id=post_id, user_id=request.user.id, author_name=request.user.get_username(), **form.cleaned_data
        ),
        fallback,
        done=_("Comment posted."),
    )


@login_required
@require_POST
def comment_hide(request, comment_id: int):
    return _write(
        request,
        lambda: services.comment_hide(comment_id=comment_id, user_id=request.user.id, is_staff=request.user.is_staff),
        reverse("storefront:feed"),
        done=_("Comment hidden."),
    )


def creator_detail(request, handle: str):
    page = selectors.creator_page(handle=handle, viewer_id=_viewer_id(request))
    if page is None:
        raise Http404
    return render(request, "storefront/creator_detail.html", {"page": page})


@login_required
@require_POST
def creator_follow(request, handle: str):
    creator = get_object_or_404(Creator.objects.using("storefront"), handle=handle)
    command = services.creator_unfollow if request.POST.get("action") == "unfollow" else services.creator_follow
    fallback = reverse("storefront:creator_detail", args=[handle])
    return _write(request, lambda: command(creator_id=creator.id, user_id=request.user.id), fallback)


def campaign_detail(request, slug: str):
    campaign = selectors.campaign_by_slug(slug)
    if campaign is None:
        raise Http404
    return render(
        request,
        "storefront/campaign_detail.html",
        {
            "campaign": campaign,
            "live": selectors.campaign_is_live(campaign),
            "upcoming": campaign.starts_at > timezone.now(),
            "cards": selectors.campaign_landing(campaign),
        },
    )


def search(request):
    form = SearchForm(request.GET or None, categories=selectors.category_choices())
    results, status = None, 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            results = selectors.search(
                selectors.ProductFilters(
                    query=data["q"].strip(),
                    category_id=data["category"],
                    price_min=data["price_min"],
                    price_max=data["price_max"],
                    location=data["location"].strip(),
                    local_only=data["local"],
                )
            )
        else:
            status = 400
    return render(request, "storefront/search.html", {"form": form, "results": results}, status=status)


def _remember_attribution(request, product_id: int) -> None:
    """A product reached from a post, a showcase or a campaign keeps that origin until checkout."""
    refs = {name: request.GET.get(param, "") for name, param in ATTRIBUTION_PARAMS.items()}
    origin = selectors.attribution_origin(
        product_id=product_id, **{name: int(value) for name, value in refs.items() if value.isdigit()}
    )
    if origin is None:
        return
    origins = request.session.get(ATTRIBUTION_SESSION_KEY, {})
    origins[str(product_id)] = origin
    request.session[ATTRIBUTION_SESSION_KEY] = origins


def _attributions(request) -> tuple[contracts.Attribution, ...]:
    return selectors.attributions_from(request.session.get(ATTRIBUTION_SESSION_KEY, {}))


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
