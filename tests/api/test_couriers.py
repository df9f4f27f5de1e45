"""Couriers: a list a client can read, and an enum wherever a courier is named."""

import pytest
import yaml

from integration.contracts import COURIER_CODES
from marketplace.couriers import DEFAULT_COURIERS
from marketplace.models import Courier

pytestmark = pytest.mark.django_db(databases=["default", "storefront", "marketplace"])


def test_the_published_codes_are_the_default_couriers():
    assert list(COURIER_CODES) == [code for code, *_rest in DEFAULT_COURIERS]


def test_the_couriers_are_listed_with_their_names_and_days(api):
    response = api.get("/api/v1/couriers/")

    assert response.status_code == 200
    assert response.json()["results"][:2] == [
        {"code": "jne-reg", "name": "JNE Reguler", "etd_days": "2-3"},
        {"code": "sicepat-reg", "name": "SiCepat REG", "etd_days": "2-3"},
    ]


def test_an_inactive_courier_is_not_listed(api):
    Courier.objects.filter(code="jne-yes").update(is_active=False)

    codes = [c["code"] for c in api.get("/api/v1/couriers/").json()["results"]]

    assert codes == ["jne-reg", "sicepat-reg", "jnt-ez"]


def test_a_courier_is_an_enum_in_the_schema(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)["components"]["schemas"]

    for component in ("ShippingChoiceRequest", "OrderShipRequest", "ShippingOption"):
        courier = schema[component]["properties"]["courier"]
        assert (courier.get("$ref") or courier["allOf"][0]["$ref"]).endswith("/CourierEnum"), component
    assert schema["CourierEnum"]["enum"] == list(COURIER_CODES)


def test_a_preview_naming_an_unknown_courier_is_refused_by_field(world):
    body = {"province": "DKI Jakarta", "shipping": [{"shop_id": world.shop.id, "courier": "kilat"}]}

    response = world.client("shopper").post("/api/v1/checkout/preview/", body, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["shipping.0.courier"])


def test_the_cart_line_patch_requires_its_quantity_in_the_schema(api):
    schema = yaml.safe_load(api.get("/api/schema/").content)
    body = schema["paths"]["/api/v1/cart/items/{line_id}/"]["patch"]["requestBody"]

    component = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert body["required"] is True
    assert schema["components"]["schemas"][component]["required"] == ["quantity"]
