import uuid
from collections.abc import Sequence
from typing import cast

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from integration import contracts
from integration.money import format_rupiah

from . import rules, services

PAYMENT_METHODS = [
    ("virtual_account", _("Virtual account bank transfer")),
    ("ewallet", _("E-wallet")),
    ("qris", _("QRIS")),
    ("cod", _("Cash on delivery")),
]
ADDRESS_FIELDS = ("recipient", "phone", "street", "city", "province", "postal_code")
NEW_ADDRESS = "new"


class AddToCartForm(forms.Form):
    variant_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, initial=1)


class CartLineForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=999)


class AddressForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=120)
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^\+?[0-9 -]{8,20}$",
        max_length=30,
        error_messages={"invalid": _("Enter a phone number of 8 to 20 digits, e.g. 0812 3456 7890.")},
    )
    street = forms.CharField(label=_("Street address"), max_length=255)
    city = forms.CharField(label=_("City"), max_length=80)
    province = forms.CharField(label=_("Province"), max_length=80)
    postal_code = forms.RegexField(
        label=_("Postal code"),
        regex=r"^[0-9]{5}$",
        max_length=10,
        error_messages={"invalid": _("A postal code has five digits.")},
    )


class AddressBookForm(AddressForm):
    label = forms.CharField(label=_("Label (e.g. Home, Office)"), max_length=40, required=False)
    is_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    field_order = ["label", *ADDRESS_FIELDS, "is_default"]


class CheckoutForm(AddressForm):
    """Delivery address (saved or new), payment method and the idempotency key.

    The key is minted when the page is rendered, so submitting the same page
    twice asks the marketplace for the same checkout twice: one set of orders.
    """

    saved_address = forms.ChoiceField(label=_("Deliver to"), widget=forms.RadioSelect, required=False)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PAYMENT_METHODS, widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    platform_voucher = forms.CharField(
        label=_("Platform voucher code"),
        help_text=_("One code for every shop in this checkout."),
        max_length=40,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"hx-preserve": "true", "autocapitalize": "characters"}),
    )

    field_order = ["saved_address", *ADDRESS_FIELDS, "payment_method"]

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.id): a for a in addresses}
        if self.addresses:
            self.fields["saved_address"].choices = [
                *((key, str(address)) for key, address in self.addresses.items()),
                (NEW_ADDRESS, _("A new address")),
            ]
            self.fields["saved_address"].initial = next(iter(self.addresses))
        else:
            del self.fields["saved_address"]
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        if self._uses_saved_address():
            for name in ADDRESS_FIELDS:
                self.fields[name].required = False

    def _uses_saved_address(self) -> bool:
        if not self.addresses:
            return False
        choice = self.data.get(self.add_prefix("saved_address")) if self.is_bound else self["saved_address"].initial
        return choice in self.addresses

    def clean(self):
        cleaned = super().clean()
        chosen = self.addresses.get(cleaned.get("saved_address") or "")
        if chosen is not None:
            # A saved address wins over whatever the new-address fields hold.
            for name in ADDRESS_FIELDS:
                self.errors.pop(name, None)
                cleaned[name] = getattr(chosen, name)
        return cleaned

    def address_fields(self):
        return [self[name] for name in ADDRESS_FIELDS]

    def address_values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ADDRESS_FIELDS}

    def delivery_province(self) -> str:
        """The delivery province as far as it is known yet: the preview's shipping fees depend on it."""
        if self.is_bound:
            key = self.data.get(self.add_prefix("saved_address"), "")
        else:
            key = self.fields["saved_address"].initial if self.addresses else ""
        chosen = self.addresses.get(key)
        if chosen is not None:
            return chosen.province
        return (self.data.get(self.add_prefix("province")) or "").strip()[:80] if self.is_bound else ""

    def add_shop_choices(self, options: tuple[contracts.ShippingOption, ...], shop_ids: list[int]) -> None:
        """One courier choice and one voucher code per shop of the cart, named by shop id."""
        for shop_id in shop_ids:
            choices = [
                (
                    o.courier,
                    _("%(name)s — %(fee)s (%(days)s days)")
                    % {"name": o.name, "fee": format_rupiah(o.fee), "days": o.etd_days},
                )
                for o in options
                if o.shop_id == shop_id
            ]
            self.fields[f"shipping_{shop_id}"] = forms.ChoiceField(
                label=_("Courier"), choices=choices, widget=forms.RadioSelect, required=False
            )
            self.fields[f"voucher_{shop_id}"] = forms.CharField(
                label=_("Voucher code"),
                max_length=40,
                required=False,
                strip=True,
                # htmx keeps what the shopper is typing when a recalculation lands meanwhile.
                widget=forms.TextInput(attrs={"hx-preserve": "true", "autocapitalize": "characters"}),
            )

    def shop_fields(self, shop_id: int):
        return self[f"shipping_{shop_id}"], self[f"voucher_{shop_id}"]

    def _per_shop(self, prefix: str) -> dict[int, str]:
        """Read from the submitted data: the preview needs them before the per-shop fields exist."""
        found = {}
        for name, value in self.data.items() if self.is_bound else ():
            key, value = name[len(prefix) :], value.strip()
            if name.startswith(prefix) and key.isdigit() and value:
                found[int(key)] = value.upper() if prefix == "voucher_" else value
        return found

    def shipping_choices(self) -> tuple[contracts.ShippingChoice, ...]:
        return tuple(
            contracts.ShippingChoice(shop_id=k, courier=v) for k, v in sorted(self._per_shop("shipping_").items())
        )

    def platform_voucher_code(self) -> str:
        """Read from the submitted data, like the per-shop codes: the preview needs it first."""
        return (self.data.get(self.add_prefix("platform_voucher")) or "").strip().upper()[:40] if self.is_bound else ""

    def voucher_choices(self) -> tuple[contracts.VoucherChoice, ...]:
        return tuple(contracts.VoucherChoice(shop_id=k, code=v) for k, v in sorted(self._per_shop("voucher_").items()))


class ReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)], widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your review"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SignUpForm(UserCreationForm):
    email = forms.EmailField(label=_("E-mail"), help_text=_("For password resets and order updates."), required=True)

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # the stubs omit it
        fields = ("username", "email")


class _PasswordSavedByService:
    """Every door that sets a password stores it through the accounts service, which revokes
    the user's API tokens in the same transaction."""

    def save(self, commit=True):
        user = super().save(commit=False)
        if commit:
            services.user_password_save(user=user)
        return user


class PasswordChangeForm(_PasswordSavedByService, auth_forms.PasswordChangeForm):
    pass


class PasswordResetSetForm(_PasswordSavedByService, auth_forms.SetPasswordForm):
    pass


class AdminPasswordChangeForm(_PasswordSavedByService, auth_forms.AdminPasswordChangeForm):
    pass


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), **rules.comment_field_kwargs())


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    price_min = forms.IntegerField(label=_("Lowest price (Rp)"), min_value=0, required=False)
    price_max = forms.IntegerField(label=_("Highest price (Rp)"), min_value=0, required=False)
    location = forms.CharField(label=_("Shop location (city or province)"), max_length=80, required=False)
    local = forms.BooleanField(label=_("Local small businesses only"), required=False)

    def __init__(self, *args, categories: Sequence[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("All categories")), *categories]

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price must not be below the lowest."))
        return data


class ShopProductsForm(forms.Form):
    """The shop page's sort and category filter (GET)."""

    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest")),
            ("best_selling", _("Best-selling")),
            ("price_asc", _("Price: low to high")),
            ("price_desc", _("Price: high to low")),
        ],
    )
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, categories: Sequence[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("All categories")), *categories]


class ShopOpenForm(forms.Form):
    """Buka Toko. The fields only carry text: the marketplace's `shop_open` judges them, so the
    page refuses bad details in the same words as the API."""

    name = forms.CharField(label=_("Shop name"), required=False, strip=False)
    slug = forms.CharField(
        label=_("Shop address"),
        required=False,
        strip=False,
        help_text=_("Your page's address: /shops/batik-sekar/ for batik-sekar."),
    )
    city = forms.CharField(label=_("City"), required=False, strip=False)
    province = forms.CharField(label=_("Province"), required=False, strip=False)
    pickup_address = forms.CharField(
        label=_("Pickup address"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    phone = forms.CharField(label=_("Phone"), required=False, strip=False)
    nib = forms.CharField(
        label=_("Business identification number (NIB), optional"),
        required=False,
        strip=False,
        help_text=_("13 digits, from OSS."),
    )
    declares_local_business = forms.BooleanField(
        label=_("I declare that this is a local small business (UMKM)."),
        required=False,
        help_text=_("The platform checks it before the shop shows the local business badge."),
    )


class CreatorJoinForm(forms.Form):
    """Jadi Kreator. As with ShopOpenForm, the service judges the values."""

    handle = forms.CharField(
        label=_("Handle"), required=False, strip=False, help_text=_("Your page's address: /creators/ayu/ for ayu.")
    )
    display_name = forms.CharField(label=_("Display name"), required=False, strip=False)
    bio = forms.CharField(label=_("Bio"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3}))
    accepts_terms = forms.BooleanField(
        label=_(
            "I accept the affiliate terms: I earn commission on completed orders I lead to, and a refund takes it back."
        ),
        required=False,
    )
