"""The platform's roles: which model permissions a seller and a creator hold.

What a role may touch is narrowed further by ownership in each context's admin
(a seller sees only their own shops' rows). Superusers hold every permission.

To give a role a new permission, add it below and a migration of this app that
runs `roles_sync`, depending on the migration that creates the model.
"""

from django.contrib.auth.management import create_permissions

SELLERS = "Sellers"
CREATORS = "Creators"
# Platform moderators: hide any post or comment. Being staff (every seller and creator is) is not enough.
MODERATORS = "Moderators"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    SELLERS: [
        "marketplace.view_shop",
        "marketplace.change_shop",
        "marketplace.view_product",
        "marketplace.add_product",
        "marketplace.change_product",
        "marketplace.view_variant",
        "marketplace.add_variant",
        "marketplace.change_variant",
        "marketplace.view_order",
        "marketplace.change_order",  # the fulfilment actions; order fields stay read-only
        "marketplace.view_voucher",
        "marketplace.add_voucher",
        "marketplace.change_voucher",
        "marketplace.view_review",
        "marketplace.change_review",  # the reply only
        "marketplace.view_stockadjustment",
        "marketplace.view_feeinvoice",
    ],
    CREATORS: [
        "storefront.view_creator",
        "storefront.change_creator",
        "storefront.view_post",
        "storefront.add_post",
        "storefront.change_post",
        "storefront.delete_post",
        "storefront.view_postproduct",
        "storefront.add_postproduct",
        "storefront.change_postproduct",
        "storefront.delete_postproduct",
        "storefront.view_comment",
        "storefront.change_comment",  # hiding only
        "storefront.view_showcaseitem",
        "storefront.add_showcaseitem",
        "storefront.change_showcaseitem",
        "storefront.delete_showcaseitem",
    ],
    MODERATORS: [
        "storefront.view_post",
        "storefront.view_comment",
        "storefront.moderate_post",
    ],
}


def roles_sync(apps, using: str) -> None:
    """Creates the groups and sets exactly their permissions; running it again changes nothing.

    Called from migrations with the historical `apps`; permissions are created
    first because on a fresh database they appear only after migrate ends.
    """
    for app_config in apps.get_app_configs():
        # create_permissions skips an app without a models module, which every app of
        # the historical registry is; the live registry's apps keep theirs.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, labels in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        wanted = []
        for label in labels:
            app_label, codename = label.split(".")
            found = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename)
            # A model newer than this migration has no permission yet: the migration
            # that depends on it syncs again (the tests check every role ends complete).
            wanted.extend(found[:1])
        group.permissions.set(wanted)
