"""What the storefront's commands share: the database alias and the read model's product check."""

from ..rules import ALIAS
from ..rules import unknown_products as _unknown_products

__all__ = ["ALIAS", "_unknown_products"]
