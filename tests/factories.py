"""Factories for both contexts. Each model is written to its own database by the router."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from marketplace import models as mp
from storefront import models as sf


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("jalin-test-pw")


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


# A shipping address as the checkout form takes it.
CHECKOUT_ADDRESS = {
    "recipient": "Ayu Lestari",
    "phone": "0812 3456 7890",
    "street": "Jl. Malioboro 52",
    "city": "Yogyakarta",
    "province": "DI Yogyakarta",
    "postal_code": "55271",
}
