"""Factories for both contexts. Each model is written to its own database by the router."""

import contextlib

import factory
from django.contrib.auth import get_user_model
from django.test.testcases import DatabaseOperationForbidden
from django.utils import timezone

from marketplace import models as mp
from storefront import models as sf


class UserFactory(factory.django.DjangoModelFactory):
    """A user whose e-mail address is confirmed (`verified=False` for one who has not), so that
    they may check out. The confirmation lives in the storefront database: a test that keeps
    out of it gets no row, and does not check out either."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True  # the hook writes elsewhere, the user needs no second save

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("jalin-test-pw")

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        with contextlib.suppress(DatabaseOperationForbidden):
            sf.EmailVerification.objects.update_or_create(
                user_id=user.pk, defaults={"email": user.email, "verified_at": timezone.now()}
            )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.Category

    name = factory.Sequence(lambda n: f"Kategori {n}")
    slug = factory.Sequence(lambda n: f"kategori-{n}")


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.Shop

    owner_user_id = factory.Sequence(lambda n: 10_000 + n)
    name = factory.Sequence(lambda n: f"Toko {n}")
    slug = factory.Sequence(lambda n: f"toko-test-{n}")
    city = "Yogyakarta"
    province = "DI Yogyakarta"
    is_local_business = True
    verified_at = factory.LazyFunction(timezone.now)  # `None` for a shop waiting for the platform's check


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.Product

    shop = factory.SubFactory(ShopFactory)
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Batik Tulis {n}")
    description = "Batik tulis asli."
    image_url = "/static/img/product-0.svg"
    status = mp.ProductStatus.ACTIVE
    commission_bp = 500


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.Variant

    product = factory.SubFactory(ProductFactory)
    name = "M"
    sku = factory.Sequence(lambda n: f"SKU-T-{n}")
    price = 125_000
    stock_on_hand = 10


class CreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sf.Creator

    user_id = factory.Sequence(lambda n: 20_000 + n)
    handle = factory.Sequence(lambda n: f"kreator-{n}")
    display_name = factory.Sequence(lambda n: f"Kreator {n}")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sf.Post

    creator = factory.SubFactory(CreatorFactory)
    caption = "Coba ini! #belilokal"
    status = sf.PostStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


# --- Shopper addresses (storefront address book; also a checkout's delivery address) ---

ADDRESS_VALUES = {
    "recipient": "Ayu Lestari",
    "phone": "0812 3456 7890",
    "street": "Jl. Malioboro 52",
    "city": "Yogyakarta",
    "province": "DI Yogyakarta",
    "postal_code": "55271",
}


# --- Marketplace: vouchers ---------------------------------------------------------


class VoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.Voucher

    shop = factory.SubFactory(ShopFactory)
    code = factory.Sequence(lambda n: f"HEMAT{n}")
    kind = mp.VoucherKind.PERCENT
    value = 10
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))


# --- Orders and the product read model (seller and creator centre tests) ----------


class CheckoutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.Checkout

    buyer_id = factory.Sequence(lambda n: 30_000 + n)
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")
    request_fingerprint = "0" * 64


class OrderFactory(factory.django.DjangoModelFactory):
    """An order of one line; `placed_at` is set on creation (auto_now_add), update it to move it in time."""

    class Meta:
        model = mp.Order

    number = factory.Sequence(lambda n: f"INV/TEST/{n:08d}")
    buyer_id = factory.SelfAttribute("checkout.buyer_id")
    shop = factory.SubFactory(ShopFactory)
    checkout = factory.SubFactory(CheckoutFactory)
    status = mp.OrderStatus.PAID
    payment_method = mp.PaymentMethod.VIRTUAL_ACCOUNT
    subtotal = 125_000
    shipping_fee = 15_000
    total = factory.LazyAttribute(lambda o: o.subtotal + o.shipping_fee)
    recipient = "Ayu Lestari"
    phone = "0812 3456 7890"
    street = "Jl. Malioboro 52"
    city = "Yogyakarta"
    province = "DI Yogyakarta"
    postal_code = "55271"


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.OrderLine

    order = factory.SubFactory(OrderFactory)
    variant = factory.SubFactory(VariantFactory, product__shop=factory.SelfAttribute("...order.shop"))
    product_id = factory.SelfAttribute("variant.product_id")
    title = factory.SelfAttribute("variant.product.title")
    variant_name = factory.SelfAttribute("variant.name")
    unit_price = factory.SelfAttribute("variant.price")
    quantity = 1


# --- Storefront: read model, showcases, campaigns --------------------------------------


class ProductCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sf.ProductCard

    product_id = factory.Sequence(lambda n: 30_000 + n)
    shop_id = 1
    shop_name = "Toko Lokal"
    shop_slug = "toko-lokal"
    shop_city = "Yogyakarta"
    shop_province = "DI Yogyakarta"
    is_local_business = True
    title = factory.Sequence(lambda n: f"Kopi Gayo {n}")
    category_id = 1
    category_name = "Kopi"
    price_min = 50_000
    price_max = 50_000


class ShowcaseItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sf.ShowcaseItem

    creator = factory.SubFactory(CreatorFactory)
    product_id = factory.Sequence(lambda n: 30_000 + n)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sf.Campaign

    slug = factory.Sequence(lambda n: f"kampanye-{n}")
    name = factory.Sequence(lambda n: f"Kampanye {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))
    local_business_only = True


# --- Seller and creator centre: reviews, stock audit, comments ------------------------


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.Review

    order_line = factory.SubFactory(OrderLineFactory)
    product = factory.LazyAttribute(lambda review: review.order_line.variant.product)
    shop = factory.LazyAttribute(lambda review: review.order_line.order.shop)
    buyer_id = factory.LazyAttribute(lambda review: review.order_line.order.buyer_id)
    stars = 4
    text = "Barang bagus"


class StockAdjustmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.StockAdjustment

    variant = factory.SubFactory(VariantFactory)
    actor_user_id = 1
    delta = 5
    on_hand_after = 5
    reason = "Barang datang"


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = sf.Comment

    post = factory.SubFactory(PostFactory)
    user_id = 1
    author_name = "pembeli"
    body = "Mantap"


class PlatformVoucherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.PlatformVoucher

    code = factory.Sequence(lambda n: f"JALIN{n}")
    kind = mp.VoucherKind.FIXED
    value = 20_000
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))


class FreeShippingCampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = mp.FreeShippingCampaign

    campaign_key = factory.Sequence(lambda n: f"bebas-ongkir-{n}")
    name = factory.Sequence(lambda n: f"Bebas Ongkir {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=30))
