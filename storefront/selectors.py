"""Reads of the storefront. Pages that list posts or products render from the
storefront database alone, in a constant number of queries whatever the page size."""

import hashlib
import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from integration import contracts

from . import fragments, rules
from .models import (
    Address,
    Campaign,
    Comment,
    Creator,
    Follow,
    Like,
    ModerationStatus,
    Post,
    PostProduct,
    PostQuerySet,
    PostStatus,
    ProductCard,
    ShopCard,
    ShopFollow,
    ShowcaseItem,
    WishlistItem,
)

ALIAS = "storefront"
MAX_PAGE_SIZE = rules.FEED_PAGE_MAX
# Cached pages are rebuilt as soon as what they show changes (see storefront.fragments);
# the timeouts only bound what a lost bump could leave stale.
FEED_TIMEOUT = 60  # the ranking also moves with views, flushed every minute
POST_PAGE_TIMEOUT = 300
PRODUCT_PAGE_TIMEOUT = 300
CATEGORIES_TIMEOUT = 300
CAMPAIGN_TIMEOUT = 60


@dataclass(frozen=True)
class PostView:
    post: Post
    products: list[ProductCard]
    liked: bool = False


@dataclass(frozen=True)
class FeedPage:
    items: list[PostView]
    next_cursor: str | None
    token: str = ""  # new whenever a cached page is rebuilt: a key for its rendered HTML


def _visible_cards(product_ids) -> dict[int, ProductCard]:
    return ProductCard.objects.using(ALIAS).filter(product_id__in=set(product_ids), is_visible=True).in_bulk()


def _with_cards(posts: list[Post], *, viewer_id: int | None = None) -> list[PostView]:
    """Attaches the visible cards of every post's tags (one query for all posts) and,
    for a signed-in viewer, whether they liked each post (one more)."""
    cards = _visible_cards(tag.product_id for post in posts for tag in post.tags.all())
    views = [PostView(post, [cards[t.product_id] for t in post.tags.all() if t.product_id in cards]) for post in posts]
    return _with_likes(views, viewer_id=viewer_id)


def _with_likes(views: list[PostView], *, viewer_id: int | None) -> list[PostView]:
    """Marks the posts the viewer liked: the per-viewer part of views cached for everyone."""
    if not viewer_id or not views:
        return views
    liked = set(
        Like.objects.using(ALIAS)
        .filter(user_id=viewer_id, post_id__in=[v.post.id for v in views])
        .values_list("post_id", flat=True)
    )
    return [replace(v, liked=v.post.id in liked) for v in views]


def _shown_by(views: list[PostView]) -> list[str]:
    """Fragment names of what cached post views show: the posts and every tagged product
    (a hidden card that comes back must appear)."""
    names = [fragments.post(v.post.id) for v in views]
    return names + [fragments.product(t.product_id) for v in views for t in v.post.tags.all()]


def _posts_with_tags() -> PostQuerySet:
    return (
        Post.objects.using(ALIAS)
        .select_related("creator")
        .prefetch_related(Prefetch("tags", queryset=PostProduct.objects.using(ALIAS).order_by("position", "id")))
    )


def _published_posts() -> PostQuerySet:
    """Published by their creator and not hidden by a moderator (see `PostQuerySet.visible`)."""
    return _posts_with_tags().visible()


def _bad_cursor() -> ValidationError:
    return ValidationError({"cursor": [_("This page link is not valid; start again from the top.")]})


def _page(posts: list[Post], limit: int, cursor_of, viewer_id: int | None) -> FeedPage:
    more = len(posts) > limit
    posts = posts[:limit]
    return FeedPage(_with_cards(posts, viewer_id=viewer_id), cursor_of(posts[-1]) if more else None)


def _cached_page(key: str, load) -> FeedPage:
    return fragments.cached(
        key,
        (fragments.POSTS, fragments.CARDS),
        load,
        timeout=FEED_TIMEOUT,
        depends=lambda page: _shown_by(page.items),
    )


def post_feed_for_you(*, cursor: str | None = None, limit: int = 20, viewer_id: int | None = None) -> FeedPage:
    """Published posts by `rank_score` (see storefront.ranking), keyset-paginated on (score, id)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    posts = _published_posts()
    key = f"storefront:feed:for-you:{limit}"
    if cursor:
        try:
            score_text, id_text = cursor.split("_", 1)
            score, last_id = float(score_text), int(id_text)
            if not math.isfinite(score):
                raise ValueError(score_text)
        except ValueError:
            raise _bad_cursor() from None
        posts = posts.filter(Q(rank_score__lt=score) | Q(rank_score=score, id__lt=last_id))
        key += f":{score!r}_{last_id}"

    def load():
        rows = list(posts.order_by("-rank_score", "-id")[: limit + 1])
        return replace(_page(rows, limit, lambda p: f"{p.rank_score!r}_{p.id}", None), token=uuid.uuid4().hex)

    # The page is the same for every viewer; only their likes are read per request.
    page = _cached_page(key, load)
    return replace(page, items=_with_likes(page.items, viewer_id=viewer_id))


def post_feed_following(*, user_id: int, cursor: str | None = None, limit: int = 20) -> FeedPage:
    """Posts of the creators `user_id` follows, newest first, keyset-paginated on (published_at, id)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    followed = Follow.objects.using(ALIAS).filter(user_id=user_id).values("creator_id")
    posts = _published_posts().filter(creator_id__in=followed)
    if cursor:
        try:
            at_text, id_text = cursor.rsplit("_", 1)
            at, last_id = datetime.fromisoformat(at_text), int(id_text)
            at.astimezone(UTC)  # a date at the edge of the calendar cannot be compared
        except (ValueError, OverflowError):
            raise _bad_cursor() from None
        if at.tzinfo is None:
            raise _bad_cursor()
        posts = posts.filter(Q(published_at__lt=at) | Q(published_at=at, id__lt=last_id))
    rows = list(posts.order_by("-published_at", "-id")[: limit + 1])
    return _page(rows, limit, lambda p: f"{p.published_at.isoformat()}_{p.id}", user_id)


def post_detail(post_id: int, *, viewer_id: int | None = None) -> PostView | None:
    """The post and its cards, cached for every viewer until the post or one of its
    products changes; whether the viewer liked it is read per request."""

    def load():
        post = _published_posts().filter(id=post_id).first()
        return _with_cards([post])[0] if post else None

    view = fragments.cached(
        f"storefront:post:{post_id}",
        (fragments.post(post_id), fragments.CARDS),
        load,
        timeout=POST_PAGE_TIMEOUT,
        depends=lambda view: _shown_by([view]),
    )
    return _with_likes([view], viewer_id=viewer_id)[0] if view else None


def comment_list(*, post_id: int, limit: int = 100) -> list[Comment]:
    """Visible comments, cached with the post: posting or hiding one bumps the post's version."""

    def load():
        comments = Comment.objects.using(ALIAS).filter(post_id=post_id, is_hidden=False)
        return list(comments.order_by("created_at", "id")[:limit])

    return fragments.cached(
        f"storefront:comments:{post_id}:{limit}", (fragments.post(post_id),), load, timeout=POST_PAGE_TIMEOUT
    )


def product_card(product_id: int) -> ProductCard | None:
    return ProductCard.objects.using(ALIAS).filter(product_id=product_id, is_visible=True).first()


def posts_showing_product(product_id: int, *, limit: int = 4) -> list[Post]:
    """Published posts with a picture that tag the product: the product page's gallery. One query."""
    return list(
        Post.objects.using(ALIAS)
        .visible()
        .filter(tags__product_id=product_id)
        .exclude(image="", image_url="")
        .select_related("creator")
        .order_by("-published_at", "-id")[:limit]
    )


def address_list_for_user(user_id: int) -> list[Address]:
    return list(Address.objects.using(ALIAS).filter(user_id=user_id).order_by("-is_default", "id"))


@dataclass(frozen=True)
class ProductPage:
    card: ProductCard
    detail: contracts.ProductDetail | None  # None while the marketplace does not answer
    reviews: list[contracts.ReviewDTO] = field(default_factory=list)
    gallery: list[Post] = field(default_factory=list)  # may trail a new post by the page's timeout


def product_page(product_id: int, *, port: contracts.MarketplacePort) -> ProductPage | None:
    """The card and the marketplace's detail of a product, the same for every viewer and
    cached until an event changes this product; None if it is not shown. Cart and
    checkout re-read price and stock, so a page a moment behind sells nothing wrong."""

    def load():
        card = product_card(product_id)
        if card is None:
            return None
        try:
            detail = port.get_product(product_id)
            # The card knows whether there is anything to fetch: most products have no review yet.
            reviews = port.list_reviews(product_id=product_id, limit=10) if card.review_count else []
        except contracts.NotFound:
            return None
        except contracts.Unavailable:
            return ProductPage(card, None)
        return ProductPage(card, detail, reviews, posts_showing_product(product_id))

    return fragments.cached(
        f"storefront:product:{product_id}",
        (fragments.product(product_id), fragments.CARDS),
        load,
        timeout=PRODUCT_PAGE_TIMEOUT,
        keep=lambda page: page is None or page.detail is not None,  # without a detail, ask again next time
    )


# --- Creators and showcases --------------------------------------------------------


def creator_by_user(user_id: int) -> Creator | None:
    return Creator.objects.using(ALIAS).filter(user_id=user_id).first()


@dataclass(frozen=True)
class CreatorPage:
    creator: Creator
    posts: list[PostView]
    showcase: list[ProductCard]
    followed: bool = False


def showcase_cards(*, creator_id: int) -> list[ProductCard]:
    items = list(ShowcaseItem.objects.using(ALIAS).filter(creator_id=creator_id).order_by("position", "id"))
    cards = _visible_cards(item.product_id for item in items)
    return [cards[item.product_id] for item in items if item.product_id in cards]


def creator_page(*, handle: str, viewer_id: int | None = None, limit: int = 24) -> CreatorPage | None:
    creator = Creator.objects.using(ALIAS).filter(handle=handle).first()
    if creator is None:
        return None
    posts = list(_published_posts().filter(creator=creator).order_by("-published_at", "-id")[:limit])
    followed = viewer_id is not None and Follow.objects.using(ALIAS).filter(creator=creator, user_id=viewer_id).exists()
    return CreatorPage(
        creator, _with_cards(posts, viewer_id=viewer_id), showcase_cards(creator_id=creator.id), followed
    )


# --- Campaigns ------------------------------------------------------------------------


def campaign_is_live(campaign: Campaign, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return campaign.starts_at <= now < campaign.ends_at


def campaign_products(campaign: Campaign) -> QuerySet[ProductCard]:
    """Cards selected by the campaign's rules: its explicit list, plus every card that
    passes the local-business and category rules when either is set."""
    rule = Q(product_id__in=campaign.product_ids or [])
    if campaign.local_business_only or campaign.category_ids:
        by_rules = Q()
        if campaign.local_business_only:
            by_rules &= Q(is_local_business=True)
        if campaign.category_ids:
            by_rules &= Q(category_id__in=campaign.category_ids)
        rule |= by_rules
    return ProductCard.objects.using(ALIAS).filter(rule, is_visible=True)


def campaign_by_slug(slug: str) -> Campaign | None:
    return Campaign.objects.using(ALIAS).filter(slug=slug).first()


def campaign_landing(campaign: Campaign, *, limit: int = 48) -> list[ProductCard]:
    """The campaign's best sellers. Ranking them sorts every card the rules select, so the
    list is cached briefly for everyone: a landing page may be a minute behind the sales."""
    if not campaign_is_live(campaign):
        return []

    def load():
        return list(campaign_products(campaign).order_by("-in_stock", "-sold_count", "product_id")[:limit])

    # The rules are part of the key, so an edited campaign is ranked afresh at once.
    rules = (campaign.local_business_only, campaign.category_ids, campaign.product_ids, limit)
    key = f"storefront:campaign:{campaign.id}:{hashlib.sha1(repr(rules).encode()).hexdigest()}"
    return fragments.cached(key, (fragments.CARDS,), load, timeout=CAMPAIGN_TIMEOUT)


def campaign_list_live(*, now: datetime | None = None) -> list[Campaign]:
    now = now or timezone.now()
    return list(Campaign.objects.using(ALIAS).filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at", "id"))


# --- Attribution -------------------------------------------------------------------


@dataclass(frozen=True)
class PostOrigin:
    creator_id: int
    product_ids: frozenset[int]


@dataclass(frozen=True)
class CampaignOrigin:
    campaign: Campaign
    product_ids: frozenset[int]  # of the claimed products, those the campaign selects


@dataclass(frozen=True)
class OriginFacts:
    """What the storefront knows about the origins claimed for some products: the
    published posts among those claimed and the products they tag, the (creator,
    product) pairs showcased, the campaigns that exist. Whether a claim holds is the
    checkout service's call."""

    posts: dict[int, PostOrigin]
    showcased: frozenset[tuple[int, int]]
    campaigns: dict[int, CampaignOrigin]


def origin_facts(claims) -> OriginFacts:
    """Reads, in a constant number of queries per distinct campaign claimed, what
    `claims` (attributions) need checked."""
    product_ids = {c.product_id for c in claims}
    post_ids = {c.post_id for c in claims if c.source == "post" and c.post_id is not None}
    creator_ids = {c.creator_id for c in claims if c.source == "showcase" and c.creator_id is not None}
    campaign_ids = {c.campaign_id for c in claims if c.source == "campaign" and c.campaign_id is not None}
    posts: dict[int, PostOrigin] = {}
    if post_ids:
        published = Post.objects.using(ALIAS).visible().filter(id__in=post_ids)
        tags: dict[int, set[int]] = {}
        for post_id, product_id in (
            PostProduct.objects.using(ALIAS)
            .filter(post__in=published, product_id__in=product_ids)
            .values_list("post_id", "product_id")
        ):
            tags.setdefault(post_id, set()).add(product_id)
        posts = {
            post_id: PostOrigin(creator_id=creator_id, product_ids=frozenset(tags.get(post_id, ())))
            for post_id, creator_id in published.values_list("id", "creator_id")
        }
    showcased: frozenset[tuple[int, int]] = frozenset()
    if creator_ids:
        showcased = frozenset(
            ShowcaseItem.objects.using(ALIAS)
            .filter(creator_id__in=creator_ids, product_id__in=product_ids)
            .values_list("creator_id", "product_id")
        )
    campaigns = {
        campaign.id: CampaignOrigin(
            campaign=campaign,
            product_ids=frozenset(
                campaign_products(campaign).filter(product_id__in=product_ids).values_list("product_id", flat=True)
            ),
        )
        for campaign in Campaign.objects.using(ALIAS).filter(id__in=campaign_ids)
    }
    return OriginFacts(posts=posts, showcased=showcased, campaigns=campaigns)


def attributions_from(origins: dict[str, dict]) -> tuple[contracts.Attribution, ...]:
    """Turns remembered origins ({product_id: origin}) into the checkout command's attributions."""
    return tuple(contracts.Attribution(product_id=int(pid), **origin) for pid, origin in sorted(origins.items()))


# --- Search --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFilters:
    query: str = ""
    category_id: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    location: str = ""
    local_only: bool = False


@dataclass(frozen=True)
class SearchResults:
    products: list[ProductCard] = field(default_factory=list)
    creators: list[Creator] = field(default_factory=list)
    posts: list[PostView] = field(default_factory=list)


def _on_postgres() -> bool:
    return connections[ALIAS].vendor == "postgresql"


def _text_search(queryset: QuerySet, fields: list[str], query: str) -> QuerySet:
    """PostgreSQL full-text search (the "simple" configuration: Indonesian has no stemmer
    there) ranked by relevance; elsewhere every word must appear in some field."""
    if _on_postgres():
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*fields, config="simple")
        search = SearchQuery(query, search_type="websearch", config="simple")
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search))
            .filter(document=search)  # the @@ match: ts_rank alone also scores partial matches
            .order_by("-rank", *queryset.query.order_by)
        )
    for word in query.split():
        queryset = queryset.filter(Q.create([(f"{name}__icontains", word) for name in fields], connector=Q.OR))
    return queryset


def product_search(filters: ProductFilters, *, limit: int = 48) -> list[ProductCard]:
    cards = ProductCard.objects.using(ALIAS).filter(is_visible=True)
    if filters.category_id is not None:
        cards = cards.filter(category_id=filters.category_id)
    if filters.price_min is not None:
        cards = cards.filter(price_max__gte=filters.price_min)
    if filters.price_max is not None:
        cards = cards.filter(price_min__lte=filters.price_max)
    if filters.location:
        cards = cards.filter(Q(shop_city__icontains=filters.location) | Q(shop_province__icontains=filters.location))
    if filters.local_only:
        cards = cards.filter(is_local_business=True)
    cards = cards.order_by("-sold_count", "product_id")
    if filters.query:
        cards = _text_search(cards, ["title", "category_name", "shop_name"], filters.query)
    return list(cards[:limit])


def search(filters: ProductFilters, *, limit: int = 24) -> SearchResults:
    products = product_search(filters, limit=limit)
    if not filters.query:
        return SearchResults(products=products)
    creators = _text_search(
        Creator.objects.using(ALIAS).order_by("-follower_count", "id"), ["handle", "display_name", "bio"], filters.query
    )
    posts = _text_search(_published_posts().order_by("-rank_score", "-id"), ["caption"], filters.query)
    return SearchResults(products, list(creators[:limit]), _with_cards(list(posts[:limit])))


def category_choices() -> list[tuple[int, str]]:
    """The categories of visible cards. Cached: finding them reads every card, and a new
    category may well wait a few minutes for its place in the search form."""

    def load():
        return list(
            ProductCard.objects.using(ALIAS)
            .filter(is_visible=True, category_id__isnull=False)
            .values_list("category_id", "category_name")
            .distinct()
            .order_by("category_name", "category_id")
        )

    return fragments.cached("storefront:categories", (fragments.CARDS,), load, timeout=CATEGORIES_TIMEOUT)


# --- Creator centre (admin) ------------------------------------------------------


def product_card_search(*, term: str, limit: int = 20) -> list[ProductCard]:
    """Visible product cards whose title or shop matches, for tagging a post."""
    cards = ProductCard.objects.using(ALIAS).filter(is_visible=True)
    if term:
        cards = cards.filter(Q(title__icontains=term) | Q(shop_name__icontains=term))
    return list(cards.order_by("title", "product_id")[:limit])


@dataclass(frozen=True)
class CreatorDashboard:
    creator: Creator
    post_count: int
    views: int
    likes: int
    views_by_day: dict  # local date -> views of the posts published that day


def creator_dashboard(*, user_id: int, since) -> CreatorDashboard | None:
    """The signed-in creator's totals and, per day since `since`, the views of that day's posts.

    Views are counted per post, not per day, so a day's bar is the views of the posts published then.
    """
    creator = Creator.objects.using(ALIAS).filter(user_id=user_id).first()
    if creator is None:
        return None
    posts = Post.objects.using(ALIAS).filter(creator=creator)
    totals = posts.aggregate(count=Count("id"), views=Sum("view_count"), likes=Sum("like_count"))
    daily = (
        posts.filter(published_at__gte=since)
        .annotate(day=TruncDate("published_at"))
        .values("day")
        .annotate(views=Sum("view_count"))
    )
    return CreatorDashboard(
        creator=creator,
        post_count=totals["count"],
        views=totals["views"] or 0,
        likes=totals["likes"] or 0,
        views_by_day={row["day"]: row["views"] for row in daily},
    )


# --- REST API ------------------------------------------------------------------------


def wishlist_cards(*, user_id: int) -> QuerySet[ProductCard]:
    """The user's saved products still on sale, the latest saved first, in one query."""
    saved = WishlistItem.objects.using(ALIAS).filter(user_id=user_id, product_id=OuterRef("product_id"))
    return (
        ProductCard.objects.using(ALIAS)
        .filter(is_visible=True)
        .annotate(saved_at=Subquery(saved.values("created_at")[:1]))
        .filter(saved_at__isnull=False)
        .order_by("-saved_at", "-product_id")
    )


def wishlisted_product_ids(*, user_id: int) -> frozenset[int]:
    """Every product the user saved: one query answers the heart of every card on a page."""
    return frozenset(WishlistItem.objects.using(ALIAS).filter(user_id=user_id).values_list("product_id", flat=True))


def product_card_queryset():
    """Visible cards, newest first; the API filters and pages them."""
    return ProductCard.objects.using(ALIAS).filter(is_visible=True).order_by("-product_id")


def post_queryset_for_feed():
    """Published posts in feed order, with creators and tags; pair a page with `posts_with_cards`."""
    return _published_posts().order_by("-published_at", "-id")


def posts_with_cards(posts: list[Post]) -> list[PostView]:
    return _with_cards(list(posts))


def creator_queryset():
    return Creator.objects.using(ALIAS).order_by("handle")


def posts_of_creator(creator_id: int):
    """A creator's own posts, any status, newest first, with their tags."""
    return _posts_with_tags().filter(creator_id=creator_id).order_by("-id")


def comment_queryset(post_id: int):
    """Visible comments of a post; check `post_is_visible` first, as a hidden post's comments are hidden too."""
    return Comment.objects.using(ALIAS).filter(post_id=post_id, is_hidden=False).order_by("created_at", "id")


def post_exists(post_id: int) -> bool:
    return Post.objects.using(ALIAS).filter(id=post_id).exists()


def post_is_visible(post_id: int) -> bool:
    """Published by its creator and not hidden by a moderator."""
    return Post.objects.using(ALIAS).visible().filter(id=post_id).exists()


def moderated_posts_of_creator(creator_id: int) -> list[Post]:
    """The creator's posts a moderator hid, with the reason: shown to the creator only."""
    return list(
        Post.objects.using(ALIAS)
        .filter(creator_id=creator_id, moderation_status=ModerationStatus.HIDDEN)
        .order_by("-moderated_at", "-id")
    )


def creator_stats(creator_id: int) -> Creator:
    """The creator with `post_count`: published posts."""
    return (
        Creator.objects.using(ALIAS)
        .annotate(
            post_count=Count(
                "posts",
                filter=Q(posts__status=PostStatus.PUBLISHED, posts__moderation_status=ModerationStatus.CLEAR),
            )
        )
        .get(id=creator_id)
    )


# --- Shop pages -------------------------------------------------------------------------

# Sort orders of a shop's products: the key shoppers pick, and the cards' order.
SHOP_SORTS = {
    "newest": ("-product_id",),
    "best_selling": ("-sold_count", "-product_id"),
    "price_asc": ("price_min", "product_id"),
    "price_desc": ("-price_min", "-product_id"),
}
SHOP_PAGE_SIZE = 24


def shop_card_by_slug(slug: str) -> ShopCard | None:
    # A renamed address can linger on an older card until its event arrives: the newest wins.
    return ShopCard.objects.using(ALIAS).filter(slug=slug).order_by("-revision", "-shop_id").first()


def shop_products(*, shop_id: int, sort: str = "newest", category_id: int | None = None) -> QuerySet[ProductCard]:
    """The shop's visible cards in the order `sort` names (see SHOP_SORTS), of one category if given."""
    cards = ProductCard.objects.using(ALIAS).filter(shop_id=shop_id, is_visible=True)
    if category_id is not None:
        cards = cards.filter(category_id=category_id)
    return cards.order_by(*SHOP_SORTS.get(sort, SHOP_SORTS["newest"]))


def shop_categories(shop_id: int) -> list[tuple[int, str]]:
    """The categories of the shop's visible cards, by name, for its filter. One query."""
    rows = (
        ProductCard.objects.using(ALIAS)
        .filter(shop_id=shop_id, is_visible=True, category_id__isnull=False)
        .values_list("category_id", "category_name")
        .distinct()
        .order_by("category_name", "category_id")
    )
    return [(category_id, name) for category_id, name in rows if category_id is not None]


def shop_followed(*, shop_id: int, viewer_id: int | None) -> bool:
    return viewer_id is not None and ShopFollow.objects.using(ALIAS).filter(shop_id=shop_id, user_id=viewer_id).exists()


def shop_vouchers(*, shop_id: int, port: contracts.MarketplacePort) -> list[contracts.ShopVoucherDTO] | None:
    """The shop's vouchers open now, from the marketplace; None while it does not answer."""
    try:
        return port.list_shop_vouchers(shop_id=shop_id)
    except contracts.Unavailable:
        return None


FOLLOWED_SHOPS_NEW_LIMIT = 8


def followed_shops_new_products(*, user_id: int, limit: int = FOLLOWED_SHOPS_NEW_LIMIT) -> list[ProductCard]:
    """The newest visible products of the shops `user_id` follows, for the top of the
    Following feed. One query."""
    followed = ShopFollow.objects.using(ALIAS).filter(user_id=user_id).values("shop_id")
    cards = ProductCard.objects.using(ALIAS).filter(shop_id__in=followed, is_visible=True)
    return list(cards.order_by("-product_id")[:limit])
