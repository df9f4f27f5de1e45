"""Account pages: sign up and the account page with the address book.

Sign in, sign out and password reset are Django's own views with our templates.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import ADDRESS_FIELDS, AddressBookForm, SignUpForm
from .redirects import safe_next


def _verify_url(request):
    return lambda token: request.build_absolute_uri(reverse("storefront:email_verify", args=[token]))


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("storefront:feed")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                verify_url=_verify_url(request),
            )
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to Jalin, %(name)s!") % {"name": user.username})
            messages.info(request, _("We have sent you a link to confirm your e-mail address."))
            return redirect(safe_next(request) or "storefront:feed")
    return render(request, "registration/sign_up.html", {"form": form, "next": safe_next(request)})


def email_verify(request, token: str):
    if services.email_verify(token=token) is None:
        messages.error(request, _("This confirmation link is not valid or has expired. Ask for a new one."))
    else:
        messages.success(request, _("Thank you, your e-mail address is confirmed."))
    return redirect("storefront:account" if request.user.is_authenticated else "login")


@login_required
@require_POST
def email_verification_resend(request):
    services.email_verification_send(user=request.user, verify_url=_verify_url(request))
    messages.success(request, _("We have sent the link again to %(email)s.") % {"email": request.user.email})
    return redirect(safe_next(request) or "storefront:account")


def _account_page(request, form: AddressBookForm, status: int = 200):
    context = {
        "form": form,
        "addresses": selectors.address_list_for_user(request.user.id),
        "email_verified": services.email_is_verified(user_id=request.user.id),
    }
    return render(request, "storefront/account.html", context, status=status)


@login_required
def account(request):
    return _account_page(request, AddressBookForm())


@login_required
@require_POST
def sign_out_everywhere(request):
    """Ends every other session and revokes the API tokens; this browser stays signed in."""
    if not request.session.session_key:
        request.session.save()
    services.user_sign_out_everywhere(user_id=request.user.id, keep_session_key=request.session.session_key)
    messages.success(request, _("You are signed out on every other device, and your API tokens are revoked."))
    return redirect("storefront:account")


@login_required
@require_POST
def address_add(request):
    form = AddressBookForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form)
    services.address_create(
        user_id=request.user.id,
        values={name: form.cleaned_data[name] for name in ADDRESS_FIELDS},
        label=form.cleaned_data["label"],
        make_default=form.cleaned_data["is_default"],
    )
    messages.success(request, _("Address saved."))
    return redirect(safe_next(request) or "storefront:account")


@login_required
@require_POST
def address_delete(request, address_id: int):
    if services.address_delete(user_id=request.user.id, address_id=address_id):
        messages.success(request, _("Address removed."))
    else:
        messages.error(request, _("That address is not in your address book."))
    return redirect("storefront:account")
