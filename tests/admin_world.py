"""Two sellers and two creators with a little of everything, for the admin tests.

Party B's rows carry the word "Rahasia" (secret) in every name, so a test can
assert that party A never sees it.
"""

from django.contrib.auth.models import Group

from config.roles import CREATORS, SELLERS
from tests.factories import (
    CampaignFactory,
    CategoryFactory,
    CommentFactory,
    CreatorFactory,
    OrderLineFactory,
    PostFactory,
    ProductCardFactory,
    ProductFactory,
    ReviewFactory,
    ShopFactory,
    ShowcaseItemFactory,
    StockAdjustmentFactory,
    UserFactory,
    VariantFactory,
    VoucherFactory,
)

SECRET = "rahasia"
# Hashing a password properly takes a noticeable fraction of a second; these tests make many users.


def staff_user(username: str, role: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def seller_with_shop(username: str, *, secret: bool = False):
    word = " Rahasia" if secret else ""
    user = staff_user(username, SELLERS)
    shop = ShopFactory(owner_user_id=user.id, name=f"Toko{word} {username}", slug=f"toko-{username}")
    product = ProductFactory(shop=shop, title=f"Produk{word} {username}", category=CategoryFactory(name="Batik"))
    variant = VariantFactory(product=product, sku=f"SKU{'-RAHASIA' if secret else ''}-{username}".upper())
    line = OrderLineFactory(order__shop=shop, order__recipient=f"Penerima{word}", variant=variant)
    ReviewFactory(order_line=line, text=f"Ulasan{word}")
    VoucherFactory(shop=shop, code=f"{'RAHASIA' if secret else 'HEMAT'}{user.pk}")
    StockAdjustmentFactory(variant=variant, actor_user_id=user.pk, reason=f"Datang{word}")
    from marketplace.models import FeeInvoice

    FeeInvoice.objects.create(order=line.order, shop=shop, number=f"FEE/{line.order.number}", base=1, fee=1, vat=0)
    return user


def creator_with_post(username: str, *, secret: bool = False):
    word = " Rahasia" if secret else ""
    user = staff_user(username, CREATORS)
    creator = CreatorFactory(
        user_id=user.id, handle=f"{'rahasia-' if secret else ''}{username}", display_name=f"Kreator{word}"
    )
    post = PostFactory(creator=creator, caption=f"Caption{word} {username}", image_url="/static/img/post-0.svg")
    card = ProductCardFactory()
    post.tags.create(product_id=card.product_id)
    CommentFactory(post=post, body=f"Komentar{word}", author_name=f"Pembaca{word}")
    ShowcaseItemFactory(creator=creator, product_id=card.product_id)
    return user


def platform_rows() -> None:
    """One row of each platform model registered by a library (sign-in lockouts, the
    integration outbox), so that their change, delete and history URLs are exercised too."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from marketplace.models import OutboxEvent

    seen = {"username": SECRET, "ip_address": "10.0.0.9", "user_agent": "test", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(**seen, get_data="", post_data="", http_accept="*/*", failures_since_start=3)
    AccessLog.objects.create(**seen, http_accept="*/*")
    AccessFailureLog.objects.create(**seen, http_accept="*/*", locked_out=True)
    OutboxEvent.objects.create(
        type="marketplace.product.unpublished", version=1, payload={"product_id": 1}, status="dead", last_error=SECRET
    )
    # The ledger is the platform's finance data.
    from marketplace.models import LedgerAccount, LedgerEntry, LedgerTransaction, ReconciliationRun

    held, paid = LedgerAccount.objects.create(kind="courier_payable"), LedgerAccount.objects.create(kind="gateway")
    entry = LedgerTransaction.objects.create(kind="payment_captured", memo=SECRET)
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(transaction=entry, account=a, amount=x) for a, x in ((held, 5), (paid, -5))]
    )
    ReconciliationRun.objects.create(accounts=2, differences=[{"name": SECRET}])
    # Platform promotions are the platform staff's.
    from tests.factories import FreeShippingCampaignFactory, PlatformVoucherFactory

    PlatformVoucherFactory(code="RAHASIA")
    FreeShippingCampaignFactory(name="Bebas Ongkir Rahasia", campaign_key=SECRET)


def build_world() -> dict[str, object]:
    CampaignFactory(name="Kampanye Rahasia", slug="kampanye-rahasia")  # platform data: staff only
    platform_rows()
    world = {
        "seller_a": seller_with_shop("penjual-a"),
        "seller_b": seller_with_shop("penjual-b", secret=True),
        "creator_a": creator_with_post("kreator-a"),
        "creator_b": creator_with_post("kreator-b", secret=True),
    }
    # Party B's API token: the token admin is platform data too.
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=world["seller_b"])
    return world
