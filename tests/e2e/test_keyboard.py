"""The site by keyboard alone: a skip link first, then every control in reach."""

import pytest

from tests.e2e.test_shopper_journey import PASSWORD, world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, databases="__all__")]


def _tab_until(page, selector: str, most: int = 40) -> int:
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} not reached in {most} presses of Tab")


def test_a_shopper_signs_in_and_adds_to_the_cart_with_the_keyboard_only(page_at, world):  # noqa: F811
    page, shot = page_at("phone")
    page.goto("/")

    # The first Tab lands on the skip link, which is then visible; Enter jumps to the content
    assert _tab_until(page, "a.skip-link") == 1
    assert page.locator("a.skip-link").bounding_box()["y"] >= 0
    shot("skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto("/accounts/login/")
    assert page.evaluate("document.activeElement.id") == "id_username"  # the sign-in form takes the focus
    page.keyboard.type("ayu")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector("form[action$='/accounts/logout/']")  # signed in

    page.goto(f"/products/{world['large'].product_id}/")
    _tab_until(page, "input[name=variant_id]")
    page.keyboard.press("ArrowDown")  # M -> L, as radio groups do
    assert page.locator(f"#variant-{world['large'].id}").is_checked()
    _tab_until(page, "form[action$='/cart/add/'] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#cart-status p.notice")
    shot("added-by-keyboard")
