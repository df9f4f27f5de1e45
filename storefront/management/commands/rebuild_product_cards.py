from django.core.management.base import BaseCommand
from tqdm import tqdm

from integration.transport import marketplace
from storefront.services import product_cards_rebuild, shop_cards_rebuild


class Command(BaseCommand):
    help = "Rebuilds the storefront's product and shop cards from the marketplace, in bulk through MarketplacePort."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        with tqdm(desc="product cards", unit="card", disable=options["verbosity"] == 0) as bar:
            count = product_cards_rebuild(port=marketplace(), batch_size=batch_size, progress=bar.update)
        shops = shop_cards_rebuild(port=marketplace(), batch_size=batch_size)
        self.stdout.write(self.style.SUCCESS(f"{count} product cards visible."))
        self.stdout.write(self.style.SUCCESS(f"{shops} shop cards."))
