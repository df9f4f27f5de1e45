"""Seeds demo data across both contexts. Idempotent: tops up to the sizes asked.

Lives in the composition root because it orchestrates both contexts; each
context writes its own data through its own demo module.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from config.roles import CREATORS, SELLERS
from integration.transport import marketplace
from marketplace import demo as marketplace_demo
from storefront import demo as storefront_demo
from storefront.services import email_mark_verified, product_cards_rebuild, shop_cards_rebuild

DEMO_PASSWORD = "jalin-demo"  # local use only; listed in the README


class Command(BaseCommand):
    help = "Creates demo accounts, shops, products, creators and posts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--shops", type=int, default=12)
        parser.add_argument("--products", type=int, default=120)
        parser.add_argument("--creators", type=int, default=8)
        parser.add_argument("--posts", type=int, default=40)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any product exists already.")
        parser.add_argument(
            "--force", action="store_true", help="Seed even when DEBUG is off (the demo passwords are public)."
        )

    def handle(self, *args, shops, products, creators, posts, verbosity, if_empty, force, **options):
        # The demo accounts, a superuser among them, have a password printed in the README.
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts have public passwords: seed only with DEBUG on, or pass --force.")
        quiet = verbosity == 0
        accounts = self._accounts()
        for user in accounts.values():  # made-up addresses: confirmed without a link
            email_mark_verified(user_id=user.id, email=user.email)
        if if_empty and marketplace().list_product_summaries(limit=1):
            self.stdout.write("Demo data present; nothing to do.")
            return
        shop_owners = [accounts["seller"].id, *self._bulk_users("penjual", 2, shops)]
        creator_users = [accounts["creator"].id, *self._bulk_users("kreator", 2, creators)]

        with tqdm(desc="products", unit="product", disable=quiet) as bar:
            catalogue = marketplace_demo.seed_catalogue(owner_ids=shop_owners, products=products, progress=bar.update)
        with tqdm(desc="product cards", unit="card", disable=quiet) as bar:
            cards = product_cards_rebuild(port=marketplace(), batch_size=2000, progress=bar.update)
        shop_cards_rebuild(port=marketplace())
        new_creators = storefront_demo.seed_creators(user_ids=creator_users)
        with tqdm(desc="posts", unit="post", disable=quiet) as bar:
            new_posts = storefront_demo.seed_posts(posts=posts, progress=bar.update)
        showcase_items = storefront_demo.seed_showcases()
        follows, likes = storefront_demo.seed_follows_and_likes(user_ids=[accounts["shopper"].id, *creator_users])
        campaign = storefront_demo.seed_beli_lokal()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {catalogue['shops']} new shops, {catalogue['products']} new products, "
                f"{cards} product cards, {new_creators} new creators, {new_posts} new posts, "
                f"{showcase_items} new showcase items, {follows} new follows, {likes} new likes"
                f"{', the Beli Lokal campaign' if campaign else ''}."
            )
        )

    def _accounts(self):
        User = get_user_model()
        accounts = {}
        with transaction.atomic(using="default"):
            for username, is_staff in (("shopper", False), ("seller", True), ("creator", True), ("admin", True)):
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "email": f"{username}@jalin.test",
                        "is_staff": is_staff,
                        "is_superuser": username == "admin",
                    },
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                accounts[username] = user
            # The demo seller and creator work in the admin through their roles.
            accounts["seller"].groups.add(Group.objects.using("default").get(name=SELLERS))
            accounts["creator"].groups.add(Group.objects.using("default").get(name=CREATORS))
        return accounts

    def _bulk_users(self, prefix: str, first: int, last: int) -> list[int]:
        """Users for generated shops and creators; they cannot sign in (no usable password)."""
        User = get_user_model()
        names = [f"{prefix}{i}" for i in range(first, last + 1)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        unusable = make_password(None)
        User.objects.bulk_create(
            [User(username=n, password=unusable) for n in names if n not in existing], batch_size=2000
        )
        ids = dict(User.objects.filter(username__in=names).values_list("username", "id"))
        return [ids[n] for n in names]
