"""Portal forms. They parse and validate input only; the services do the work, and a `DomainError` a service
raises is put back on the form with `add_domain_error` (on its field when it names one)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

from novacron.core.exceptions import DomainError
from novacron.core.money import SUPPORTED_CURRENCIES, CurrencyError, Money, minor_units
from novacron.core.once import SubmissionTokenField
from revenue.models import AccountKind, Dispute, PayoutAccount, Product

TEST_CARDS_HELP = (
    "Local test gateway cards: 4242 4242 4242 4242 succeeds · 4000 0000 0000 0002 is declined · "
    "4000 0027 6000 3184 asks for 3-D Secure · 4000 0000 0000 0259 succeeds and is then disputed."
)
CURRENCY_CHOICES = [(code, code) for code in SUPPORTED_CURRENCIES]


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's domain error on the form: on the field it names if the form has it, else on top."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def money_from_major(value: Decimal, currency: str) -> int:
    """A major-unit amount typed by a person → minor units; a ValidationError when the currency has fewer
    decimals than typed (e.g. ¥10.5)."""
    try:
        return Money.from_decimal(value, currency).amount
    except CurrencyError as exc:
        raise forms.ValidationError(str(exc)) from exc


# --- buyers --------------------------------------------------------------------------------------------------


def product_label(product: Product) -> str:
    """ "Name — price (seller)", with the volume prices: "… · from 10: €18.00 each"."""
    label = f"{product.name} — {Money(product.unit_amount, product.currency).format()} ({product.seller.display_name})"
    tiers = [
        f"from {t['min_quantity']}: {Money(int(t['unit_amount']), product.currency).format()} each"
        for t in product.volume_tiers or []
    ]
    return " · ".join([label, *tiers])


class PaymentForm(forms.Form):
    """How a buyer pays in the portal: a test card or a bank transfer, once (submission token)."""

    PAYMENT_CARD = "card"
    PAYMENT_BANK = "bank_transfer"

    payment = forms.ChoiceField(
        label="Pay with",
        choices=[(PAYMENT_CARD, "Card (local test gateway)"), (PAYMENT_BANK, "Bank transfer")],
        initial=PAYMENT_CARD,
        widget=forms.RadioSelect,
    )
    card_number = forms.CharField(
        label="Test card number",
        required=False,
        initial="4242 4242 4242 4242",
        max_length=23,
        help_text=TEST_CARDS_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    billing_country = forms.CharField(
        max_length=2, min_length=2, required=False, help_text="Two-letter country code, e.g. DE or US."
    )
    submission_token = SubmissionTokenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submission_token"].initial = SubmissionTokenField.new()

    def clean_card_number(self) -> str:
        return "".join(self.cleaned_data["card_number"].split())

    def clean_billing_country(self) -> str:
        return self.cleaned_data["billing_country"].upper()

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("payment") == self.PAYMENT_CARD:
            number = cleaned.get("card_number", "")
            if not number:
                self.add_error("card_number", "Enter a card number (try 4242 4242 4242 4242).")
            elif not number.isdigit() or not 12 <= len(number) <= 19:
                self.add_error("card_number", "A card number is 12 to 19 digits.")
        return cleaned


class BuyForm(PaymentForm):
    field_order = [
        "product",
        "quantity",
        "payment",
        "card_number",
        "billing_country",
        "vat_number",
        "coupon",
        "organization",
        "submission_token",
    ]

    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), empty_label=None, help_text="Priced before tax, in its own currency."
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=1000,
        initial=1,
        help_text="Seats or units; volume prices apply from their tier.",
    )
    vat_number = forms.CharField(
        label="VAT number",
        max_length=20,
        required=False,
        help_text="Businesses in the EU or UK (no VAT across borders). Empty: the number in your billing details "
        "(or the organisation's) is used.",
    )
    coupon = forms.CharField(
        label="Coupon code", max_length=40, required=False, help_text="Optional; taken off before tax."
    )
    organization = forms.TypedChoiceField(
        label="Buy for",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Yourself, or an organisation you handle billing for.",
    )

    def __init__(self, *args, products=None, organizations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products if products is not None else Product.objects.none()
        self.fields["product"].label_from_instance = product_label
        self.fields["organization"].choices = [("", "Myself")] + [(o.id, o.name) for o in organizations]
        if not organizations:
            self.fields["organization"].widget = forms.HiddenInput()

    def clean_coupon(self) -> str:
        return self.cleaned_data["coupon"].strip().upper()

    def clean_vat_number(self) -> str:
        return "".join(self.cleaned_data["vat_number"].split()).upper()


# --- sellers -------------------------------------------------------------------------------------------------


class StatementForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.ChoiceField(required=False, choices=[("", "All currencies"), *CURRENCY_CHOICES])

    @classmethod
    def initial_period(cls) -> dict[str, date]:
        today = timezone.localdate()
        return {"start": today - timedelta(days=90), "end": today}

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end date is before the start date.")
            elif (end - start).days > 366 * 3:
                self.add_error("end", "Export at most three years at a time.")
        return cleaned


class PayoutAccountForm(forms.Form):
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")
    method = forms.ChoiceField(choices=PayoutAccount.Method.choices, widget=forms.RadioSelect)
    stripe_account_id = forms.CharField(
        label="Stripe Connect account id", max_length=60, required=False, help_text="Starts with acct_."
    )
    account_holder = forms.CharField(max_length=200, required=False)
    iban = forms.CharField(label="IBAN", max_length=34, required=False)
    bic = forms.CharField(label="BIC / SWIFT", max_length=11, required=False)
    account_number = forms.CharField(max_length=34, required=False, help_text="Where there is no IBAN.")
    routing_number = forms.CharField(max_length=20, required=False)
    bank_country = forms.CharField(max_length=2, required=False, help_text="Two-letter country code.")

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("iban", "bic", "bank_country"):
            if cleaned.get(name):
                cleaned[name] = "".join(cleaned[name].split()).upper()
        method = cleaned.get("method")
        if method == PayoutAccount.Method.STRIPE_CONNECT and not cleaned.get("stripe_account_id"):
            self.add_error("stripe_account_id", "Enter your Stripe Connect account id.")
        if method == PayoutAccount.Method.BANK_TRANSFER:
            if not cleaned.get("account_holder"):
                self.add_error("account_holder", "Enter the account holder's name.")
            if not cleaned.get("iban") and not cleaned.get("account_number"):
                self.add_error("iban", "Enter an IBAN or an account number.")
        return cleaned


# --- refunds (finance or the seller) -------------------------------------------------------------------------


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=3,
        required=False,
        help_text="Leave empty to refund everything not yet refunded.",
    )
    reason = forms.CharField(max_length=255, required=False)
    # One token per rendered form: a double submit refunds once (the refund service's idempotency key).
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, currency: str, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = f"Amount ({currency})"

    def clean_amount(self) -> int | None:
        value = self.cleaned_data["amount"]
        return None if value is None else money_from_major(value, self.currency)


# --- finance -------------------------------------------------------------------------------------------------


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "All kinds"), *AccountKind.choices])
    currency = forms.CharField(required=False, max_length=3)
    owner = forms.CharField(
        required=False, max_length=200, help_text='"platform", a seller\'s public id, or part of its name.'
    )
    nonzero = forms.BooleanField(required=False, label="Only non-zero balances")

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].upper()


class DisputeFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", "All states"), *Dispute.State.choices])


class DisputeEvidenceForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="What you send to the gateway: delivery proof, logs, correspondence.",
    )


class DisputeCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("won", "Won — the disputed amount comes back"), ("lost", "Lost — platform loss")],
        widget=forms.RadioSelect,
    )


class BankTransferReceivedForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=14, decimal_places=3)
    reference = forms.CharField(
        max_length=120, help_text="The payment reference quoted on the incoming transfer (NC-XXXX-XXXX)."
    )

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["amount"].label = f"Amount received ({currency})"

    def clean_amount(self) -> int:
        return money_from_major(self.cleaned_data["amount"], self.currency)


class RefundSentForm(forms.Form):
    reference = forms.CharField(max_length=100, help_text="The reference of the bank transfer you sent.")


class RefundNotSentForm(forms.Form):
    message = forms.CharField(
        max_length=255, help_text="Why the money could not be sent back, e.g. the buyer's account is closed."
    )


class PayoutFailedForm(forms.Form):
    message = forms.CharField(max_length=255, help_text="Why the payout failed, e.g. the bank's return code.")


# --- exchange rates (finance) ---------------------------------------------------------------------------------


class FxRateForm(forms.Form):
    base = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="EUR", help_text="1 unit of this currency …")
    quote = forms.ChoiceField(
        choices=CURRENCY_CHOICES, initial="USD", help_text="… is worth the rate in this one."
    )
    rate = forms.DecimalField(
        min_value=Decimal("0.0000000001"), max_digits=20, decimal_places=10, help_text="e.g. 1.0850"
    )
    as_of = forms.DateField(
        label="Valid from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: today. It applies until a later rate of the pair.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("base") and cleaned.get("base") == cleaned.get("quote"):
            self.add_error("quote", "Choose two different currencies.")
        return cleaned


class FxRateFilterForm(forms.Form):
    currency = forms.ChoiceField(required=False, choices=[("", "All currencies"), *CURRENCY_CHOICES])
    source = forms.CharField(required=False, max_length=40, help_text="ecb, manual, demo …")


# --- seller products -------------------------------------------------------------------------------------------


class ProductForm(forms.Form):
    """A seller's product; prices in major units ("20.00"), converted to minor units of the chosen currency."""

    seller = forms.TypedChoiceField(coerce=int, label="Sold by")
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")
    price = forms.DecimalField(
        min_value=Decimal(0), max_digits=14, decimal_places=3, help_text="Before tax, per unit."
    )
    volume_tiers = forms.CharField(
        label="Volume prices",
        required=False,
        help_text='Optional: "quantity: unit price" pairs, e.g. "10: 18.00, 50: 15.00" — from 10 units every unit '
        "costs 18.00, from 50 every unit 15.00.",
    )
    is_active = forms.BooleanField(label="On sale", required=False, initial=True)

    def __init__(self, *args, sellers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seller"].choices = [(s.pk, s.display_name) for s in sellers]
        if len(self.fields["seller"].choices) == 1:
            self.fields["seller"].widget = forms.HiddenInput()
            self.fields["seller"].initial = self.fields["seller"].choices[0][0]

    @classmethod
    def initial_for(cls, product: Product) -> dict:
        digits = minor_units(product.currency)

        def major(amount: int) -> str:
            return f"{Decimal(amount).scaleb(-digits):f}"

        return {
            "seller": product.seller_id,
            "name": product.name,
            "description": product.description,
            "currency": product.currency,
            "price": major(product.unit_amount),
            "volume_tiers": ", ".join(
                f"{t['min_quantity']}: {major(int(t['unit_amount']))}" for t in product.volume_tiers or []
            ),
            "is_active": product.is_active,
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if not currency:
            return cleaned
        if cleaned.get("price") is not None:
            try:
                cleaned["unit_amount"] = money_from_major(cleaned["price"], currency)
            except forms.ValidationError as exc:
                self.add_error("price", exc)
        tiers = []
        for part in filter(None, (p.strip() for p in (cleaned.get("volume_tiers") or "").split(","))):
            quantity, sep, price = part.partition(":")
            try:
                if not sep or not quantity.strip().isdigit():
                    raise forms.ValidationError(f'"{part}" is not "quantity: unit price", e.g. 10: 18.00.')
                tiers.append(
                    {
                        "min_quantity": int(quantity),
                        "unit_amount": money_from_major(Decimal(price.strip()), currency),
                    }
                )
            except (forms.ValidationError, ArithmeticError) as exc:
                message = (
                    exc.messages[0] if isinstance(exc, forms.ValidationError) else f'"{part}": not a price.'
                )
                self.add_error("volume_tiers", message)
                break
        cleaned["tiers"] = tiers
        return cleaned
