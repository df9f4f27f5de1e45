"""The isolation matrix: no seller or creator reaches another party's rows through the admin.

The URLs are generated from the admin's own registry: every URL pattern of every
registered model (changelist, add, change, delete, history, import, export and
any custom view), every action, and the autocomplete of every searchable model
from every foreign key pointing at it. A newly registered model is covered
without touching this file.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import URLPattern, reverse

from backoffice.scoping import OwnedAdminMixin
from tests.admin_world import SECRET, build_world
from tests.factories import UserFactory

DATABASES = ["default", "storefront", "marketplace"]
pytestmark = pytest.mark.django_db(databases=DATABASES)

# Party A (a seller and a creator) against the rows of party B (another seller and another creator).
ACTORS = ["seller_a", "creator_a"]
VICTIMS = ["seller_b", "creator_b"]
DENIED = {400, 403, 404, 405}  # 400: a filter the model lacks; 405: a POST-only view opened with GET


def _label(model) -> str:
    return model._meta.label_lower


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: _label(item[0]))


def _view_urls():
    """(model label, URL name, takes an object id) for every named URL of every model admin."""
    for model, model_admin in _registered():
        for pattern in model_admin.get_urls():
            if isinstance(pattern, URLPattern) and pattern.name:
                yield _label(model), pattern.name, tuple(sorted(pattern.pattern.converters))


def _actions():
    superuser = UserFactory.build(is_superuser=True, is_staff=True)
    request = RequestFactory().get("/")
    request.user = superuser
    for model, model_admin in _registered():
        for name in model_admin.get_actions(request):
            yield _label(model), name


def _autocompletes():
    """(source model, field, target model) for each foreign key to a searchable registered model."""
    for model, _model_admin in _registered():
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if field.many_to_one and target in admin.site._registry and admin.site._registry[target].search_fields:
                yield _label(model), field.name, _label(target)


def _owned_row(model, user):
    model_admin = admin.site._registry[model]
    rows = model._default_manager.order_by("pk")
    if isinstance(model_admin, OwnedAdminMixin):
        return rows.filter(**{model_admin.owner_field: user.pk}).first()
    return rows.first()  # platform data: any row is someone else's


def _victim_row(model, world):
    """A row of party B: the other seller's or the other creator's, whichever owns this model."""
    rows = (_owned_row(model, world[victim]) for victim in VICTIMS)
    return next((row for row in rows if row is not None), None)


def _snapshot():
    """Every row of both contexts and the admin log, to prove nothing changed."""
    tables = {}
    for app_label in ("marketplace", "storefront", "admin"):
        for model in apps.get_app_config(app_label).get_models():
            tables[_label(model)] = list(model._default_manager.order_by("pk").values())
    return tables


def _others_snapshot(actor):
    """Every row that is not the actor's own: an add view may create the actor's own rows
    (a creator may showcase any shop's product), never touch anyone else's."""
    tables = {}
    for app_label in ("marketplace", "storefront"):
        for model in apps.get_app_config(app_label).get_models():
            rows = model._default_manager.order_by("pk")
            model_admin = admin.site._registry.get(model)
            if isinstance(model_admin, OwnedAdminMixin):
                rows = rows.exclude(**{model_admin.owner_field: actor.pk})
            tables[_label(model)] = list(rows.values())
    return tables


def _post_body(model, row):
    """What an attacker would submit: the victim's ids, foreign keys and numbers, with neutral
    text (so that a form echoing its input back is not mistaken for a leak)."""
    return {
        key: "tiruan" if isinstance(value, str) else value
        for key, value in model_to_dict(row).items()
        if value is not None and not isinstance(value, FieldFile)
    }


def _assert_denied_or_blind(response, what):
    body = response.content.decode(errors="replace").lower()
    assert response.status_code in DENIED | {200, 302}, f"{what}: status {response.status_code}"
    if response.status_code not in DENIED:
        assert SECRET not in body, f"{what}: shows another party's data"


@pytest.fixture
def world(settings):
    return build_world()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    ("model_label", "url_name", "id_params"), [pytest.param(*url, id=url[1]) for url in sorted(set(_view_urls()))]
)
def test_no_admin_view_reaches_another_partys_row(client, world, actor, model_label, url_name, id_params):
    # Given party A signed in, and a row of party B
    model = apps.get_model(model_label)
    row = _victim_row(model, world)
    url = reverse(f"admin:{url_name}", kwargs=dict.fromkeys(id_params, row.pk if id_params else None))
    client.force_login(world[actor])
    # With B's id in the URL nothing may change at all; without one, nothing but A's own rows.
    snapshot = _snapshot if id_params else lambda: _others_snapshot(world[actor])
    before = snapshot()

    # When A opens the URL with B's id, and posts B's own values (and B's ids) to it
    seen = client.get(url, {"shop": row.pk, "creator": row.pk, "q": SECRET} if row and not id_params else {})
    posted = client.post(url, {**(_post_body(model, row) if row else {}), "post": "yes", "format": "0"})

    # Then A is refused or sees none of B's data, and nothing changed anywhere
    _assert_denied_or_blind(seen, f"GET {url}")
    _assert_denied_or_blind(posted, f"POST {url}")
    assert snapshot() == before


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("model_label", "action"), sorted(set(_actions())))
def test_no_action_touches_another_partys_row(client, world, actor, model_label, action):
    model = apps.get_model(model_label)
    row = _victim_row(model, world)
    client.force_login(world[actor])
    before = _snapshot()

    response = client.post(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        {"action": action, helpers.ACTION_CHECKBOX_NAME: [row.pk], "index": 0, "post": "yes", "format": "0"},
    )

    _assert_denied_or_blind(response, f"action {action} on {model_label}")
    assert _snapshot() == before


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("source", "field", "target"), sorted(set(_autocompletes())))
def test_no_autocomplete_lists_another_partys_row(client, world, actor, source, field, target):
    client.force_login(world[actor])
    app_label, model_name = source.split(".")

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field, "term": ""},
    )

    _assert_denied_or_blind(response, f"autocomplete {source}.{field} -> {target}")
    if response.status_code == 200:
        assert all(SECRET not in item["text"].lower() for item in response.json()["results"])


def test_the_matrix_covers_every_registered_model_and_kind_of_url():
    # Given the admin's registry, the generated matrix holds every model and every kind of view
    urls = set(_view_urls())
    labels = {label for label, _name, _params in urls}
    assert labels == {_label(model) for model in admin.site._registry}
    kinds = {name.rsplit("_", 1)[-1] for _label_, name, _params in urls}
    assert {"changelist", "add", "change", "delete", "history", "import", "export", "search"} <= kinds
    assert {("marketplace.product", "make_active"), ("storefront.comment", "hide")} <= set(_actions())
    assert ("storefront.showcaseitem", "delete_selected") in set(_actions())
    assert ("marketplace.product", "shop", "marketplace.shop") in set(_autocompletes())


def _owned_models():
    return [_label(model) for model, model_admin in _registered() if isinstance(model_admin, OwnedAdminMixin)]


@pytest.mark.parametrize("model_label", _owned_models())
def test_each_party_does_reach_its_own_rows(client, world, model_label):
    # The control that keeps the matrix honest: the same URLs work for the owner, for every
    # owned model of the registry (a seller's or a creator's, whichever owns a row of it).
    model = apps.get_model(model_label)
    actor, row = next((world[a], _owned_row(model, world[a])) for a in ACTORS if _owned_row(model, world[a]))
    client.force_login(actor)
    info = (model._meta.app_label, model._meta.model_name)

    listed = client.get(reverse("admin:{}_{}_changelist".format(*info)))
    opened = client.get(reverse("admin:{}_{}_change".format(*info), kwargs={"object_id": row.pk}))

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
    assert opened.status_code == 200


def test_a_seller_cannot_edit_another_sellers_variant_through_their_own_product(client, world):
    # Given seller A's product, and seller B's variant id slipped into A's variant inline
    from marketplace.models import Product, Variant

    own = Product.objects.get(shop__owner_user_id=world["seller_a"].pk)
    theirs = Variant.objects.get(product__shop__owner_user_id=world["seller_b"].pk)
    client.force_login(world["seller_a"])
    before = _snapshot()

    response = client.post(
        reverse("admin:marketplace_product_change", args=[own.pk]),
        {
            "shop": own.shop_id,
            "title": own.title,
            "status": own.status,
            "commission_bp": 0,
            "variants-TOTAL_FORMS": 1,
            "variants-INITIAL_FORMS": 1,
            "variants-0-id": theirs.pk,
            "variants-0-product": own.pk,
            "variants-0-name": "Dicuri",
            "variants-0-sku": theirs.sku,
            "variants-0-price": 1,
            "variants-0-weight_grams": 1,
            "variants-0-stock_on_hand": 0,
            "variants-0-max_per_order": 1,
        },
    )

    assert response.status_code == 200  # the form again, with an error
    assert _snapshot() == before


def test_an_action_naming_another_sellers_row_is_refused_outright(client, world):
    # Given seller B's draft product, and seller A, who may publish products
    from marketplace.models import Product, ProductStatus

    theirs = Product.objects.get(shop__owner_user_id=world["seller_b"].pk)
    Product.objects.filter(pk=theirs.pk).update(status=ProductStatus.DRAFT)
    own = Product.objects.get(shop__owner_user_id=world["seller_a"].pk)
    client.force_login(world["seller_a"])

    # When A publishes a selection that smuggles in B's product
    response = client.post(
        reverse("admin:marketplace_product_changelist"),
        {"action": "make_active", helpers.ACTION_CHECKBOX_NAME: [own.pk, theirs.pk], "index": 0},
    )

    # Then the whole action is refused, A's own product included
    assert response.status_code == 403
    assert Product.objects.get(pk=theirs.pk).status == ProductStatus.DRAFT
