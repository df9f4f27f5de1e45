"""Shopper pages. Discovery renders from the storefront database; cart, checkout
and orders go through `MarketplacePort`, which re-reads price and stock."""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integration import contracts
from integration.transport import marketplace

from . import rules, selectors, services
from .forms import (
    AddToCartForm,
    CartLineForm,
    CheckoutForm,
    CommentForm,
    CreatorJoinForm,
    ReviewForm,
    SearchForm,
    ShopOpenForm,
    ShopProductsForm,
)
from .models import Creator
from .redirects import safe_next

ATTRIBUTION_SESSION_KEY = "attribution"
# Query parameters of a product link that name its origin: ?post=, ?showcase=<creator id>, ?campaign=
ATTRIBUTION_PARAMS = {"post_id": "post", "creator_id": "showcase", "campaign_id": "campaign"}
FEED_PAGE_SIZE = 20


def _unavailable(request):
    if request.htmx:
        # htmx swaps no 5xx answer in; the shopper would see nothing happen.
        text = _("Checkout is unavailable for a moment. Please try again in a minute.")
        return render(request, "storefront/_cart_status.html", {"ok": False, "text": text})
    response = render(request, "storefront/unavailable.html", status=503)
    response["Retry-After"] = "30"
    return response


def _viewer_id(request) -> int | None:
    return request.user.id if request.user.is_authenticated else None


def _whole_number(text: str) -> int | None:
    # str.isdigit() also accepts digits such as "²" that int() refuses.
    return int(text) if text.isascii() and text.isdigit() else None


def _page_size(request) -> int:
    return _whole_number(request.GET.get("size", "")) or FEED_PAGE_SIZE


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
    context = {"tab": tab, "page": page, "campaigns": selectors.campaign_list_live()}
    if tab == "following" and not cursor:
        # New products of the shops the shopper follows lead the first page.
        context["shop_products"] = selectors.followed_shops_new_products(user_id=request.user.id)
    return render(request, "storefront/feed.html", context)


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
            "can_moderate": services.can_hide_comments_of(request.user, view.post),
        },
    )


def _back(request, fallback: str):
    return redirect(safe_next(request) or fallback)


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
                messages.error(request, str(message))
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
        lambda: services.comment_hide(comment_id=comment_id, actor=request.user),
        reverse("storefront:feed"),
        done=_("Comment hidden."),
    )


def creator_detail(request, handle: str):
    page = selectors.creator_page(handle=handle, viewer_id=_viewer_id(request))
    if page is None:
        raise Http404
    # The creator alone is told which of their posts a moderator hid, and why.
    own = page.creator.user_id == _viewer_id(request)
    moderated = selectors.moderated_posts_of_creator(page.creator.id) if own else []
    return render(request, "storefront/creator_detail.html", {"page": page, "moderated": moderated})


@login_required
@require_POST
def creator_follow(request, handle: str):
    creator = get_object_or_404(Creator.objects.using("storefront"), handle=handle)
    command = services.creator_unfollow if request.POST.get("action") == "unfollow" else services.creator_follow
    fallback = reverse("storefront:creator_detail", args=[handle])
    return _write(request, lambda: command(creator_id=creator.id, user_id=request.user.id), fallback)


@login_required
def wishlist(request):
    cards = selectors.wishlist_cards(user_id=request.user.id)[: rules.WISHLIST_MAX_ITEMS]
    return render(request, "storefront/wishlist.html", {"cards": cards})


def shop_detail(request, slug: str):
    """A shop's page: its header from the shop card, its products (sorted, by category, a page
    at a time) from the product cards, its open vouchers from the marketplace."""
    shop = selectors.shop_card_by_slug(slug)
    if shop is None:
        raise Http404
    form = ShopProductsForm(request.GET, categories=selectors.shop_categories(shop.shop_id))
    sort, category_id, status = "newest", None, 200
    if form.is_valid():
        sort, category_id = form.cleaned_data["sort"] or "newest", form.cleaned_data["category"]
    else:
        status = 400
    cards = selectors.shop_products(shop_id=shop.shop_id, sort=sort, category_id=category_id)
    page = Paginator(cards, selectors.SHOP_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "shop": shop,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "vouchers": selectors.shop_vouchers(shop_id=shop.shop_id, port=marketplace()),
        "followed": selectors.shop_followed(shop_id=shop.shop_id, viewer_id=_viewer_id(request)),
    }
    return render(request, "storefront/shop_detail.html", context, status=status)


@login_required
@require_POST
def wishlist_toggle(request, product_id: int):
    command = services.wishlist_remove if request.POST.get("action") == "remove" else services.wishlist_add
    fallback = reverse("storefront:wishlist")
    return _write(request, lambda: command(user_id=request.user.id, product_id=product_id), fallback)


@login_required
@require_POST
def shop_follow(request, slug: str):
    shop = selectors.shop_card_by_slug(slug)
    if shop is None:
        raise Http404
    command = services.shop_unfollow if request.POST.get("action") == "unfollow" else services.shop_follow
    fallback = reverse("storefront:shop_detail", args=[slug])
    return _write(request, lambda: command(shop_id=shop.shop_id, user_id=request.user.id), fallback)


def _refusal_on_form(form, fields: dict[str, list[str]], message: str = "") -> None:
    """A service's refusal, each message next to its field when the form has it, else on top."""
    placed = False
    for name, texts in fields.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)
            placed = True
    if not placed and message:
        form.add_error(None, message)


@login_required
def shop_open(request):
    """Buka Toko: the marketplace opens the shop (and judges every field); the new seller
    goes on to the seller centre."""
    form = ShopOpenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            shop = services.shop_open(user=request.user, port=marketplace(), **form.cleaned_data)
        except contracts.Unavailable:
            return _unavailable(request)
        except contracts.PortError as error:
            _refusal_on_form(form, error.fields, error.message)
            status = 400
        except services.TooManyAttempts as error:
            form.add_error(None, str(error))
            status = 429
        else:
            messages.success(
                request,
                _("Your shop %(name)s is open. Add your first product in the seller centre.") % {"name": shop.name},
            )
            return redirect("admin:marketplace_shop_change", shop.shop_id)
    return render(request, "storefront/shop_open.html", {"form": form}, status=status)


@login_required
def creator_join(request):
    """Jadi Kreator: a creator profile for the signed-in user, then the creator centre."""
    existing = selectors.creator_by_user(request.user.id)
    form = CreatorJoinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            creator = services.creator_join(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _refusal_on_form(form, error.message_dict)
            status = 400
        except services.TooManyAttempts as error:
            form.add_error(None, str(error))
            status = 429
        else:
            messages.success(
                request, _("Welcome, @%(handle)s! Your creator centre is ready.") % {"handle": creator.handle}
            )
            return redirect("admin:index")
    return render(request, "storefront/creator_join.html", {"form": form, "existing": existing}, status=status)


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
    ids = {name: _whole_number(value) for name, value in refs.items()}
    origin = services.origin_from_visit(
        product_id=product_id, **{name: value for name, value in ids.items() if value is not None}
    )
    if origin is None:
        return
    origins = request.session.get(ATTRIBUTION_SESSION_KEY, {})
    origins[str(product_id)] = {k: v for k, v in asdict(origin).items() if k != "product_id" and v is not None}
    request.session[ATTRIBUTION_SESSION_KEY] = origins


def _attributions(request) -> tuple[contracts.Attribution, ...]:
    return selectors.attributions_from(request.session.get(ATTRIBUTION_SESSION_KEY, {}))


def product_detail(request, product_id: int):
    page = selectors.product_page(product_id, port=marketplace())
    if page is None:
        raise Http404
    _remember_attribution(request, product_id)
    context = {
        "card": page.card,
        "detail": page.detail,
        "reviews": page.reviews,
        "gallery": page.gallery,
        "form": AddToCartForm(initial={"quantity": 1}),
    }
    # Without a detail the card is shown; buying waits until the marketplace answers.
    return render(request, "storefront/product_detail.html", context)


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
    if "buy_now" in request.POST:
        # Straight on to checkout; htmx follows the HX-Redirect header with a full page load.
        target = reverse("storefront:checkout")
        return HttpResponse(headers={"HX-Redirect": target}) if request.htmx else redirect(target)
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
    """The marketplace prices everything: shipping per shop, vouchers and the total come from
    `preview_checkout`. "Recalculate" (or htmx on any change) previews again; "Place order"
    checks out and, unless paying on delivery, goes on to the gateway's page."""
    port = marketplace()
    form = CheckoutForm(request.POST or None, addresses=selectors.address_list_for_user(request.user.id))
    try:
        preview = _preview(port, request.user.id, form)
    except contracts.Unavailable:
        return _unavailable(request)
    placing = request.method == "POST" and "recalculate" not in request.POST and not request.htmx
    if placing and form.is_valid():
        data = form.cleaned_data
        asked = services.CheckoutRequest(
            buyer_id=request.user.id,
            address=contracts.Address(**form.address_values()),
            payment_method=data["payment_method"],
            idempotency_key=data["idempotency_key"],
            shipping=form.shipping_choices(),
            vouchers=form.voucher_choices(),
            origins=_attributions(request),
            platform_voucher=form.platform_voucher_code(),
        )
        try:
            result = services.checkout_place(request=asked, port=port)
        except contracts.Unavailable:
            return _unavailable(request)
        except contracts.PortError as error:
            _show_port_error(form, error)
            preview = _preview(port, request.user.id, form, fallback=preview)
        else:
            request.session.pop(ATTRIBUTION_SESSION_KEY, None)
            messages.success(request, _("Thank you! Your order has been placed."))
            if result.payment is not None and result.payment.pay_url:
                return redirect(result.payment.pay_url)
            if len(result.orders) == 1:
                return redirect("storefront:order_detail", order_id=result.orders[0].id)
            return redirect("storefront:order_list")
    elif request.method == "POST" and not placing:
        form.errors.clear()  # a recalculation is not a submission: no "this field is required" yet
    context = {"form": form, "preview": preview, "shops": _shop_sections(form, preview)}
    return render(request, "storefront/checkout.html", context)


def _preview(port, buyer_id: int, form: CheckoutForm, fallback=None) -> contracts.CheckoutPreview:
    try:
        preview = port.preview_checkout(
            buyer_id=buyer_id,
            province=form.delivery_province(),
            shipping=form.shipping_choices(),
            vouchers=form.voucher_choices(),
            platform_voucher=form.platform_voucher_code(),
        )
    except contracts.Unavailable:
        if fallback is None:
            raise
        return fallback
    form.add_shop_choices(preview.shipping_options, [shop_id for shop_id, *_totals in preview.shop_totals])
    return preview


def _shop_sections(form: CheckoutForm, preview: contracts.CheckoutPreview) -> list[dict]:
    """Per shop: its lines, its courier and voucher fields and the marketplace's sums."""
    sections = []
    shares = {share.shop_id: share for share in preview.promotions}
    for shop_id, subtotal, fee, discount in preview.shop_totals:
        promotion = shares.get(shop_id)
        courier_fee = fee + (promotion.shipping_subsidy if promotion else 0)  # before free shipping
        # Unchosen, the courier shown is the one the marketplace priced (its fee matches).
        priced = [o.courier for o in preview.shipping_options if o.shop_id == shop_id and o.fee == courier_fee]
        form.fields[f"shipping_{shop_id}"].initial = priced[0] if priced else None
        shipping, voucher = form.shop_fields(shop_id)
        lines = [line for line in preview.cart.lines if line.shop_id == shop_id]
        sections.append(
            {
                "shop_name": lines[0].shop_name if lines else "",
                "lines": lines,
                "shipping": shipping,
                "voucher": voucher,
                "subtotal": subtotal,
                "fee": courier_fee,
                "discount": discount,
                "promotion": promotion,
            }
        )
    return sections


def _show_port_error(form: CheckoutForm, error: contracts.PortError) -> None:
    """Each message goes next to its field when the form has that field, else on top."""
    placed = False
    for name, field_messages in error.fields.items():
        for message in field_messages:
            form.add_error(name if name in form.fields and not form[name].is_hidden else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@login_required
def order_list(request):
    try:
        orders = marketplace().list_orders(request.user.id)
    except contracts.Unavailable:
        return _unavailable(request)
    return render(request, "storefront/order_list.html", {"orders": orders})


def _order_page(request, order_id: int, *, review_forms: dict | None = None, status: int = 200):
    try:
        order = marketplace().get_order(buyer_id=request.user.id, order_id=order_id)
    except contracts.NotFound:
        raise Http404 from None
    except contracts.Unavailable:
        return _unavailable(request)
    forms = review_forms or {}
    reviewable = order.status in ("delivered", "completed")
    lines = [{"line": line, "form": forms.get(line.id) or ReviewForm(prefix=f"line-{line.id}")} for line in order.lines]
    context = {"order": order, "lines": lines, "reviewable": reviewable}
    return render(request, "storefront/order_detail.html", context, status=status)


@login_required
def order_detail(request, order_id: int):
    return _order_page(request, order_id)


def _order_command(request, order_id: int, command, *, done: str = "", then=None):
    """Runs one port command about an order. Done: `then(result)`, or back to the order page.
    Refused: back to the order page, saying why."""
    try:
        result = command()
    except contracts.NotFound:
        raise Http404 from None
    except contracts.Unavailable:
        return _unavailable(request)
    except contracts.PortError as error:
        messages.error(request, error.message)
        return redirect("storefront:order_detail", order_id=order_id)
    if done:
        messages.success(request, done)
    return then(result) if then else redirect("storefront:order_detail", order_id=order_id)


@login_required
@require_POST
def order_pay(request, order_id: int):
    """ "Pay now" on a pending order: the payment of its checkout, on the gateway's page."""
    return _order_command(
        request,
        order_id,
        lambda: marketplace().start_payment(buyer_id=request.user.id, order_id=order_id),
        then=lambda payment: redirect(payment.pay_url),
    )


@login_required
@require_POST
def order_confirm_delivery(request, order_id: int):
    return _order_command(
        request,
        order_id,
        lambda: marketplace().confirm_delivery(buyer_id=request.user.id, order_id=order_id),
        done=_("Thank you! You confirmed the delivery."),
    )


@login_required
@require_POST
def review_create(request, order_id: int, line_id: int):
    form = ReviewForm(request.POST, prefix=f"line-{line_id}")
    if not form.is_valid():
        return _order_page(request, order_id, review_forms={line_id: form}, status=400)
    return _order_command(
        request,
        order_id,
        lambda: marketplace().submit_review(buyer_id=request.user.id, order_line_id=line_id, **form.cleaned_data),
        done=_("Thank you for your review."),
    )
