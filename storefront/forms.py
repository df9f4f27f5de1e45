import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

PAYMENT_METHODS = [
    ("virtual_account", _("Virtual account bank transfer")),
    ("ewallet", _("E-wallet")),
    ("cod", _("Cash on delivery")),
]


class AddToCartForm(forms.Form):
    variant_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=999, initial=1)


class CartLineForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=999)


class CheckoutForm(forms.Form):
    recipient = forms.CharField(label=_("Recipient"), max_length=120)
    phone = forms.RegexField(label=_("Phone"), regex=r"^\+?[0-9 -]{8,20}$", max_length=30)
    street = forms.CharField(label=_("Street address"), max_length=255)
    city = forms.CharField(label=_("City"), max_length=80)
    province = forms.CharField(label=_("Province"), max_length=80)
    postal_code = forms.RegexField(label=_("Postal code"), regex=r"^[0-9]{5}$", max_length=10)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PAYMENT_METHODS, widget=forms.RadioSelect)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    price_min = forms.IntegerField(label=_("Lowest price (Rp)"), min_value=0, required=False)
    price_max = forms.IntegerField(label=_("Highest price (Rp)"), min_value=0, required=False)
    location = forms.CharField(label=_("Shop location (city or province)"), max_length=80, required=False)
    local = forms.BooleanField(label=_("Local small businesses only"), required=False)

    def __init__(self, *args, categories: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("All categories")), *categories]

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The highest price must not be below the lowest."))
        return data
