"""A payee's money in the admin: balance, statement with exports, bank accounts and the
withdraw form. One set of pages for sellers (shops) and creators alike.

It knows neither context: a context hands it a `MoneyBackend` that reads and writes through
that context's own road (the marketplace's selectors and services; the storefront's port).
Every rule is the services'; a refusal comes back as `contracts.InvalidRequest` and is shown
as an admin message and next to the field, with nothing written.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integration import contracts
from integration.money import format_rupiah

JAKARTA = ZoneInfo("Asia/Jakarta")
BUCKET_LABELS = {
    "pending": gettext_lazy("Pending"),
    "available": gettext_lazy("Available"),
    "in_flight": gettext_lazy("In flight"),
}
STATUS_LABELS = {  # the payout model's own labels
    "requested": gettext_lazy("Requested"),
    "succeeded": gettext_lazy("Sent"),
    "failed": gettext_lazy("Failed: money returned"),
}


class MoneyBackend(Protocol):
    banks: dict[str, str]

    def balance(self, payee_id: int) -> contracts.BalanceDTO: ...

    def statement(self, payee_id: int, date_from: date, date_to: date) -> contracts.StatementDTO: ...

    def bank_accounts(self, payee_id: int) -> list[contracts.BankAccountDTO]: ...

    def add_bank_account(self, payee_id: int, bank_code: str, number: str) -> contracts.BankAccountDTO: ...

    def payouts(self, payee_id: int) -> list[contracts.PayoutDTO]: ...

    def request_payout(self, payee_id: int, bank_account_id: int, amount: int, key: str) -> contracts.PayoutDTO: ...


def today() -> date:
    return timezone.now().astimezone(JAKARTA).date()


# The statement's period, `?from=&to=` as in the API (names Python cannot declare as attributes).
PeriodForm = type(
    "PeriodForm",
    (forms.Form,),
    {
        "from": forms.DateField(
            label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        ),
        "to": forms.DateField(
            label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        ),
    },
)


class BankAccountForm(forms.Form):
    bank_code = forms.ChoiceField(label=gettext_lazy("Bank"))
    number = forms.CharField(label=gettext_lazy("Account number"), max_length=30)

    def __init__(self, *args, banks: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["bank_code"]  # type: ignore[assignment]
        field.choices = [(code, banks[code]) for code in sorted(banks, key=banks.__getitem__)]


class WithdrawForm(forms.Form):
    # Any whole number goes through: which accounts may receive money is the service's rule.
    bank_account_id = forms.IntegerField(label=gettext_lazy("To the bank account"), widget=forms.Select)
    amount = forms.IntegerField(label=gettext_lazy("Amount (Rp)"), max_value=10**13)
    # Minted with the page: sending the same page twice withdraws once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args, accounts: list[contracts.BankAccountDTO], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_account_id"].widget.choices = [
            (a.id, f"{a.bank_name} {a.number_masked} a.n. {a.holder_name}") for a in accounts
        ]


def _refused(request, form: forms.Form, error: contracts.PortError) -> None:
    """The service's refusal, word for word: as an admin message and next to each field."""
    messages.error(request, error.message)
    for field, texts in error.fields.items():
        for text in texts:
            if form.is_bound:
                form.add_error(field if field in form.fields else None, text)
            if text != error.message:
                messages.error(request, text)


def money_page(
    request,
    *,
    backend: MoneyBackend,
    payee_id: int,
    title: str,
    admin_context: dict,
    url: str,
) -> HttpResponse:
    """The payee's money page: GET shows it (or exports the statement with `?export=csv|xlsx`);
    POST with `action=bank_account` registers an account, with `action=withdraw` withdraws."""
    accounts = backend.bank_accounts(payee_id)
    verified = [a for a in accounts if a.verified]
    bank_form = BankAccountForm(banks=backend.banks)
    withdraw_form = WithdrawForm(accounts=verified, initial={"idempotency_key": uuid.uuid4().hex})
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "bank_account":
            bank_form = BankAccountForm(request.POST, banks=backend.banks)
            if bank_form.is_valid():
                try:
                    added = backend.add_bank_account(payee_id, **bank_form.cleaned_data)
                except contracts.InvalidRequest as error:
                    _refused(request, bank_form, error)
                else:
                    messages.success(
                        request,
                        _("The bank confirmed the account of %(holder)s.") % {"holder": added.holder_name},
                    )
                    return HttpResponseRedirect(url)
        elif action == "withdraw":
            withdraw_form = WithdrawForm(request.POST, accounts=verified)
            if withdraw_form.is_valid():
                data = withdraw_form.cleaned_data
                try:
                    payout = backend.request_payout(
                        payee_id, data["bank_account_id"], data["amount"], data["idempotency_key"]
                    )
                except contracts.InvalidRequest as error:
                    _refused(request, withdraw_form, error)
                else:
                    messages.success(
                        request,
                        _("Withdrawal %(reference)s of %(amount)s requested.")
                        % {"reference": payout.reference, "amount": format_rupiah(payout.amount)},
                    )
                    return HttpResponseRedirect(url)
            else:
                messages.error(request, _("Please correct the withdrawal."))
    period = PeriodForm(
        request.GET if "from" in request.GET else None, initial={"from": today().replace(day=1), "to": today()}
    )
    statement = None
    if period.is_bound and not period.is_valid():
        messages.error(request, _("Please correct the period."))
    else:
        chosen = period.cleaned_data if period.is_bound else period.initial
        date_from, date_to = chosen["from"], chosen["to"]
        try:
            statement = backend.statement(payee_id, date_from, date_to)
        except contracts.InvalidRequest as error:
            _refused(request, period, error)
    export = request.GET.get("export")
    if statement is not None and export in EXPORTS:
        return EXPORTS[export](statement)
    context = {
        **admin_context,
        "title": title,
        "balance": backend.balance(payee_id),
        "statement": statement,
        "lines": [(line, BUCKET_LABELS.get(line.bucket, line.bucket)) for line in statement.lines] if statement else [],
        "period": period,
        "query": request.GET.urlencode(),
        "accounts": accounts,
        "payouts": [(p, STATUS_LABELS.get(p.status, p.status)) for p in backend.payouts(payee_id)[:20]],
        "bank_form": bank_form,
        "withdraw_form": withdraw_form,
    }
    return TemplateResponse(request, "admin/money/payee_money.html", context)


# --- Exports -----------------------------------------------------------------------------------


def statement_rows(statement: contracts.StatementDTO) -> list[list]:
    """The statement as a table: a header, the opening, every line, the closing."""
    header = [
        _("Time (WIB)"),
        _("Description"),
        _("Balance"),
        _("Order"),
        _("Payout"),
        _("Amount (Rp)"),
        _("Balance after (Rp)"),
    ]
    rows: list[list] = [header, ["", _("Opening balance"), "", "", "", "", statement.opening]]
    for line in statement.lines:
        rows.append(
            [
                line.at.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M:%S"),
                line.description,
                str(BUCKET_LABELS.get(line.bucket, line.bucket)),
                line.order_number,
                line.payout_reference,
                line.amount,
                line.balance_after,
            ]
        )
    rows.append(["", _("Closing balance"), "", "", "", "", statement.closing])
    return rows


def _filename(statement: contracts.StatementDTO, extension: str) -> str:
    return (
        f"statement-{statement.payee_kind}-{statement.payee_id}-{statement.date_from}-{statement.date_to}.{extension}"
    )


def statement_csv(statement: contracts.StatementDTO) -> HttpResponse:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(statement_rows(statement))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "csv")}"'
    return response


def statement_xlsx(statement: contracts.StatementDTO) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Statement")[:31]
    for row in statement_rows(statement):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "xlsx")}"'
    return response


EXPORTS: dict[str, Callable[[contracts.StatementDTO], HttpResponse]] = {"csv": statement_csv, "xlsx": statement_xlsx}
