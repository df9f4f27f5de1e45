"""Reads of the storefront. Pages that list posts or products render from the
storefront database alone, in a constant number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncDate

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
