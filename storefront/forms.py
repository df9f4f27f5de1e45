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
