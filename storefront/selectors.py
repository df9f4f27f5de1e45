"""Reads of the storefront. Pages that list posts or products render from the
storefront database alone, in a constant number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch

from integration import contracts

from . import fragments
from .models import Post, PostProduct, PostStatus, ProductCard

ALIAS = "storefront"
# Stock shown on a product page may lag this long; cart and checkout re-read it.
PRODUCT_PAGE_TIMEOUT = 30
POST_PAGE_TIMEOUT = 300


@dataclass(frozen=True)
class PostView:
    post: Post
    products: list[ProductCard]


def _with_cards(posts: list[Post]) -> list[PostView]:
    """Attaches the visible cards of every post's tags with one query for all posts."""
    product_ids = {tag.product_id for post in posts for tag in post.tags.all()}
    cards = ProductCard.objects.using(ALIAS).filter(product_id__in=product_ids, is_visible=True).in_bulk()
    return [PostView(post, [cards[t.product_id] for t in post.tags.all() if t.product_id in cards]) for post in posts]


def _published_posts():
    return (
        Post.objects.using(ALIAS)
        .filter(status=PostStatus.PUBLISHED)
        .select_related("creator")
        .prefetch_related(Prefetch("tags", queryset=PostProduct.objects.using(ALIAS).order_by("position", "id")))
    )


def post_list_for_feed(*, limit: int = 20) -> list[PostView]:
    posts = list(_published_posts().order_by("-published_at", "-id")[:limit])
    return _with_cards(posts)


def post_detail(post_id: int) -> PostView | None:
    """The post and its cards, cached until a post or card changes."""

    def load():
        post = _published_posts().filter(id=post_id).first()
        return _with_cards([post])[0] if post else None

    return fragments.cached(
        f"storefront:post:{post_id}", (fragments.POSTS, fragments.CARDS), load, timeout=POST_PAGE_TIMEOUT
    )


def product_card(product_id: int) -> ProductCard | None:
    return ProductCard.objects.using(ALIAS).filter(product_id=product_id, is_visible=True).first()


@dataclass(frozen=True)
class ProductPage:
    card: ProductCard
    detail: contracts.ProductDetail | None  # None while the marketplace does not answer


def product_page(product_id: int, *, port: contracts.MarketplacePort) -> ProductPage | None:
    """The card and the marketplace's detail of a product, cached briefly; None if it is not shown."""

    def load():
        card = product_card(product_id)
        if card is None:
            return None
        try:
            return ProductPage(card, port.get_product(product_id))
        except contracts.NotFound:
            return None
        except contracts.Unavailable:
            return ProductPage(card, None)

    return fragments.cached(
        f"storefront:product:{product_id}",
        (fragments.CARDS,),
        load,
        timeout=PRODUCT_PAGE_TIMEOUT,
        keep=lambda page: page is None or page.detail is not None,  # without a detail, ask again next time
    )
