"""Reads of the storefront. Pages that list posts or products render from the
storefront database alone, in a constant number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Creator, Post, PostProduct, PostStatus, ProductCard

ALIAS = "storefront"


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
    post = _published_posts().filter(id=post_id).first()
    return _with_cards([post])[0] if post else None


def product_card(product_id: int) -> ProductCard | None:
    return ProductCard.objects.using(ALIAS).filter(product_id=product_id, is_visible=True).first()


# --- REST API ------------------------------------------------------------------------


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
