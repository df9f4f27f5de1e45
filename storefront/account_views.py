"""Account pages: sign up and the account page with the address book.

Sign in, sign out and password reset are Django's own views with our templates.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import ADDRESS_FIELDS, AddressBookForm, SignUpForm
from .redirects import safe_next


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("storefront:feed")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_sign_up(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Jalin, %(name)s!") % {"name": user.username})
        return redirect(safe_next(request) or "storefront:feed")
    return render(request, "registration/sign_up.html", {"form": form, "next": safe_next(request)})


def _account_page(request, form: AddressBookForm, status: int = 200):
    addresses = selectors.address_list_for_user(request.user.id)
    return render(request, "storefront/account.html", {"form": form, "addresses": addresses}, status=status)


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
