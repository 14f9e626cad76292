"""Payout accounts and payouts. Balances and payouts are per currency and never mixed: a seller is paid in a
currency only through their active payout account for that currency.

Flow of one payout (seller S, currency C), all under the locks of S's available, receivable and in-transit
accounts in C:

1. due: the seller's interval is due today (daily; weekly on Monday; monthly on the 1st, UTC), no payout of
   this run day exists yet, and available − receivable ≥ the seller's minimum (payout_minimum_usd converted to
   C at the day's ExchangeRate; no rate → skipped with a log line, never guessed);
2. the receivable is netted off first (entry `receivable_offset`: Dr available / Cr receivable);
3. Dr available / Cr in-transit for what remains, with the Payout row created under the idempotency key
   payout:<seller>:<currency>:<id of the last journal entry that touched S's available or receivable in C> —
   the exact set of entries the payout covers (every such entry after the previous payout's). The same state can
   never produce a second payout: after a payout the key moves on, and the balance it drew is gone;
4. after commit, gateway.transfer(destination = Stripe Connect account id or bank reference, same key) — the
   gateway de-duplicates, so a rerun after a crash or timeout re-sends the same transfer, never a second one;
5. paid (gateway says so, or finance marks it): Dr in-transit / Cr payout clearing; failed: Dr in-transit /
   Cr available, and the money is paid again in a later run.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.us import rtn as stdnum_rtn

from novacron.core.exceptions import Conflict, ValidationError
from novacron.core.money import CurrencyError, validate_currency
from novacron.core.services.audit import audit_record
from revenue import gateways
from revenue.exceptions import InvalidState
from revenue.models import Account, AccountKind, JournalEntry, Payout, PayoutAccount, Posting, Seller
from revenue.models.sellers import PayoutInterval
from revenue.services.fx import RateMissing, convert_with_rate
from revenue.services.ledger import Line, account_for, accounts_lock, entry_post

logger = logging.getLogger(__name__)

METHOD_GATEWAY = {
    PayoutAccount.Method.STRIPE_CONNECT: "stripe",
    PayoutAccount.Method.BANK_TRANSFER: "bank_transfer",
}
STRIPE_ACCOUNT_RE = re.compile(r"^acct_[A-Za-z0-9]{6,60}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
ACCOUNT_NUMBER_RE = re.compile(r"^[A-Z0-9]{4,34}$")


# --- payout accounts ---------------------------------------------------------------------------------------------


def _mask(value: str) -> str:
    return f"…{value[-4:]}" if value else ""


def _snapshot(account: PayoutAccount | None) -> dict[str, Any] | None:
    if account is None:
        return None
    return {
        "currency": account.currency,
        "method": account.method,
        "stripe_account_id": account.stripe_account_id,
        "account_holder": account.account_holder,
        "iban": _mask(account.iban),
        "bic": account.bic,
        "account_number": _mask(account.account_number),
        "routing_number": account.routing_number,
        "bank_country": account.bank_country,
    }


def _clean_bank(
    *,
    account_holder: str,
    iban: str,
    bic: str,
    account_number: str,
    routing_number: str,
    bank_country: str,
) -> dict[str, str]:
    holder = (account_holder or "").strip()
    if not holder:
        raise ValidationError("Enter the account holder's name.", field="account_holder")
    if len(holder) > 200:
        raise ValidationError("The account holder's name is at most 200 characters.", field="account_holder")
    country = (bank_country or "").strip().upper()
    if country and not COUNTRY_RE.match(country):
        raise ValidationError("The bank country is a two-letter ISO code such as DE.", field="bank_country")
    clean_bic = ""
    if (bic or "").strip():
        try:
            clean_bic = stdnum_bic.validate(bic)
        except StdnumError:
            raise ValidationError("This BIC (SWIFT code) is not valid.", field="bic") from None
    if (iban or "").strip():
        try:
            clean_iban = stdnum_iban.validate(iban)
        except StdnumError:
            raise ValidationError("This IBAN is not valid (check the digits).", field="iban") from None
        if country and country != clean_iban[:2]:
            raise ValidationError(f"The IBAN is for {clean_iban[:2]}, not {country}.", field="bank_country")
        if clean_bic and clean_bic[4:6] != clean_iban[:2]:
            raise ValidationError("The BIC and the IBAN are for different countries.", field="bic")
        return {
            "account_holder": holder,
            "iban": clean_iban,
            "bic": clean_bic,
            "account_number": "",
            "routing_number": "",
            "bank_country": clean_iban[:2],
        }
    number = re.sub(r"[\s-]", "", account_number or "").upper()
    if not number:
        raise ValidationError("Enter an IBAN, or an account number.", field="iban")
    if not ACCOUNT_NUMBER_RE.match(number):
        raise ValidationError("The account number is 4 to 34 letters or digits.", field="account_number")
    if not country:
        raise ValidationError("Enter the bank's country.", field="bank_country")
    routing = re.sub(r"[\s-]", "", routing_number or "")
    if country == "US":
        try:
            routing = stdnum_rtn.validate(routing)
        except StdnumError:
            raise ValidationError("This ABA routing number is not valid.", field="routing_number") from None
    elif not clean_bic and not routing:
        raise ValidationError("Enter the bank's BIC (SWIFT code) or routing number.", field="bic")
    if len(routing) > 20:
        raise ValidationError("The routing number is at most 20 characters.", field="routing_number")
    return {
        "account_holder": holder,
        "iban": "",
        "bic": clean_bic,
        "account_number": number,
        "routing_number": routing,
        "bank_country": country,
    }


def payout_account_set(
    *,
    seller: Seller,
    currency: str,
    method: str,
    stripe_account_id: str = "",
    account_holder: str = "",
    iban: str = "",
    bic: str = "",
    account_number: str = "",
    routing_number: str = "",
    bank_country: str = "",
    actor: Any,
) -> PayoutAccount:
    """Set where the seller's `currency` payouts go. The previous account for that currency is kept
    (deactivated) for the payouts that used it. Setting the same details again changes nothing."""
    if seller.kind == Seller.Kind.PLATFORM:
        raise ValidationError("The platform has no payout account.", field="seller")
    try:
        currency = validate_currency(currency)
    except CurrencyError as exc:
        raise ValidationError(str(exc), field="currency") from None
    if method not in PayoutAccount.Method.values:
        raise ValidationError(
            f"Choose a payout method: {', '.join(PayoutAccount.Method.values)}.", field="method"
        )
    if method == PayoutAccount.Method.STRIPE_CONNECT:
        stripe_account_id = (stripe_account_id or "").strip()
        if not STRIPE_ACCOUNT_RE.match(stripe_account_id):
            raise ValidationError(
                "Enter your Stripe Connect account id (it starts with acct_).", field="stripe_account_id"
            )
        details = {
            "stripe_account_id": stripe_account_id,
            "account_holder": (account_holder or "").strip()[:200],
            "iban": "",
            "bic": "",
            "account_number": "",
            "routing_number": "",
            "bank_country": "",
        }
    else:
        details = {
            "stripe_account_id": "",
            **_clean_bank(
                account_holder=account_holder,
                iban=iban,
                bic=bic,
                account_number=account_number,
                routing_number=routing_number,
                bank_country=bank_country,
            ),
        }
    try:
        with transaction.atomic():
            Seller.objects.select_for_update().get(
                pk=seller.pk
            )  # serialises changes to one seller's accounts
            current = PayoutAccount.objects.filter(seller=seller, currency=currency, is_active=True).first()
            if (
                current is not None
                and current.method == method
                and all(getattr(current, name) == value for name, value in details.items())
            ):
                return current
            if current is not None:
                current.is_active = False
                current.save(update_fields=["is_active", "updated_at"])
            account = PayoutAccount.objects.create(seller=seller, currency=currency, method=method, **details)
            audit_record(
                actor=actor,
                action="revenue.payout_account_set",
                obj=account,
                before=_snapshot(current),
                after=_snapshot(account),
            )
    except IntegrityError:
        raise Conflict("The payout account changed at the same time; try again.") from None
    return account


# --- creating payouts --------------------------------------------------------------------------------------------


def interval_due(interval: str, day: date) -> bool:
    """Daily: every day; weekly: Mondays; monthly: the 1st."""
    if interval == PayoutInterval.DAILY:
        return True
    if interval == PayoutInterval.WEEKLY:
        return day.weekday() == 0
    if interval == PayoutInterval.MONTHLY:
        return day.day == 1
    return False


def payout_minimum(*, seller: Seller, currency: str, on: date) -> tuple[int, dict[str, Any]]:
    """The seller's minimum payout in `currency` minor units and the rate used; RateMissing without a rate."""
    amount, rate = convert_with_rate(seller.payout_minimum_usd, "USD", currency, on=on)
    return amount, rate.as_dict()


def payout_create_for(*, payout_account: PayoutAccount, now: datetime | None = None) -> Payout | None:
    """Pay out the seller's available balance in the account's currency now, if it reaches the minimum.
    Returns the new Payout, or None when there is nothing (or not enough) to pay, or this run day already
    paid. Raises RateMissing when the minimum cannot be converted."""
    now = now or timezone.now()
    today = now.date()
    seller = payout_account.seller
    currency = payout_account.currency
    minimum, rate = payout_minimum(seller=seller, currency=currency, on=today)
    available = account_for(kind=AccountKind.SELLER_AVAILABLE, currency=currency, seller=seller)
    receivable = account_for(kind=AccountKind.SELLER_RECEIVABLE, currency=currency, seller=seller)
    in_transit = account_for(kind=AccountKind.SELLER_IN_TRANSIT, currency=currency, seller=seller)
    with transaction.atomic():
        locked = accounts_lock([available, receivable, in_transit])
        already = Payout.objects.filter(seller=seller, currency=currency, scheduled_for=today).exclude(
            state=Payout.State.FAILED
        )
        if already.exists():
            return None
        balance = locked[available.pk].balance
        owed = locked[receivable.pk].balance
        net = balance - owed
        if net <= 0 or net < minimum:
            return None
        touched = Posting.objects.filter(account_id__in=[available.pk, receivable.pk])
        covered_to = touched.aggregate(last=Max("entry_id"))["last"]
        covered_from = touched.filter(entry__kind=JournalEntry.Kind.PAYOUT).aggregate(last=Max("entry_id"))[
            "last"
        ]
        key = f"payout:{seller.pk}:{currency}:{covered_to}"
        if Payout.objects.filter(idempotency_key=key).exists():
            return None
        offset = min(balance, owed)
        metadata = {
            "covers_entries": {"after": covered_from, "up_to": covered_to},
            "receivable_offset": offset,
            "minimum": minimum,
            "minimum_rate": rate,
        }
        if offset > 0:
            entry_post(
                kind=JournalEntry.Kind.RECEIVABLE_OFFSET,
                lines=[Line(available, offset), Line(receivable, -offset)],
                description=f"Receivable netted off before a payout to {seller}",
                reference_type="seller",
                reference_id=str(seller.public_id),
                idempotency_key=f"receivable_offset:{key}",
                metadata={"payout_key": key},
                effective_at=now,
            )
        payout = Payout.objects.create(
            seller=seller,
            payout_account=payout_account,
            currency=currency,
            amount=net,
            idempotency_key=key,
            gateway=METHOD_GATEWAY[payout_account.method],
            scheduled_for=today,
        )
        entry_post(
            kind=JournalEntry.Kind.PAYOUT,
            lines=[Line(available, net), Line(in_transit, -net)],
            description=f"Payout {payout.public_id} to {seller}",
            reference_type="payout",
            reference_id=str(payout.public_id),
            idempotency_key=key,
            metadata=metadata,
            effective_at=now,
        )
        audit_record(
            actor=None,
            action="revenue.payout_create",
            obj=payout,
            after={"amount": net, "currency": currency, "receivable_offset": offset},
        )
        transaction.on_commit(partial(_submit_after_commit, payout.pk))
    payout.refresh_from_db()
    return payout


def payouts_create_due(*, now: datetime | None = None) -> list[Payout]:
    """Create the payouts due now for every seller and currency (task revenue.create_payouts, daily). First
    re-sends transfers a previous run could not hand to the gateway. Safe to run twice: a run day pays a seller's
    currency at most once, and the ledger balance a payout draws is gone once drawn."""
    now = now or timezone.now()
    payouts_submit_pending(now=now)
    created: list[Payout] = []
    accounts = (
        PayoutAccount.objects.filter(is_active=True, seller__payouts_paused=False)
        .exclude(seller__kind=Seller.Kind.PLATFORM)
        .select_related("seller")
        .order_by("seller_id", "currency")
    )
    for payout_account in accounts:
        if not interval_due(payout_account.seller.payout_interval, now.date()):
            continue
        try:
            payout = payout_create_for(payout_account=payout_account, now=now)
        except RateMissing as exc:
            logger.warning(
                "payout skipped for seller %s in %s: %s",
                payout_account.seller_id,
                payout_account.currency,
                exc,
            )
            continue
        if payout is not None:
            created.append(payout)
    return created


# --- transfers and their outcome ---------------------------------------------------------------------------------


def _destination(account: PayoutAccount) -> str:
    if account.method == PayoutAccount.Method.STRIPE_CONNECT:
        return account.stripe_account_id
    return f"bank:{account.public_id}"


def _submit_after_commit(payout_id: int) -> None:
    try:
        payout_submit(payout=Payout.objects.get(pk=payout_id))
    except Exception:
        logger.exception("payout %s: submitting the transfer failed; the next run re-sends it", payout_id)


def payout_submit(*, payout: Payout, now: datetime | None = None) -> Payout:
    """Send (or re-send, same idempotency key) the transfer of an in-transit payout the gateway has not
    accepted yet, and apply a final answer (paid / failed) in the same transaction. Unknown outcomes leave
    it for the next run."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Payout.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=payout.pk, state=Payout.State.IN_TRANSIT, submitted_at__isnull=True)
            .select_related("payout_account")
            .first()
        )
        if locked is None:
            return Payout.objects.get(pk=payout.pk)
        try:
            result = gateways.get_gateway(locked.gateway).transfer(
                destination=_destination(locked.payout_account),
                amount=locked.amount,
                currency=locked.currency,
                idempotency_key=locked.idempotency_key,
                description=f"NovaCron payout {locked.public_id}",
            )
        except Exception:
            logger.warning(
                "payout %s: gateway %s gave no answer", locked.public_id, locked.gateway, exc_info=True
            )
            return locked
        locked.gateway_reference = result.reference or locked.gateway_reference
        locked.submitted_at = now
        locked.save(update_fields=["gateway_reference", "submitted_at", "updated_at"])
        if result.state == "paid":
            return payout_mark_paid(payout=locked, now=now)
        if result.state == "failed":
            return payout_mark_failed(
                payout=locked, message=result.failure_message or "Transfer refused", now=now
            )
    return locked


def payouts_submit_pending(*, now: datetime | None = None) -> int:
    """Re-send every in-transit payout whose transfer never reached the gateway. Returns how many it tried."""
    pending = list(
        Payout.objects.filter(state=Payout.State.IN_TRANSIT, submitted_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    for payout_id in pending:
        payout_submit(payout=Payout(pk=payout_id), now=now)
    return len(pending)


def _payout_accounts(payout: Payout) -> tuple[Any, Any, Any]:
    seller = payout.seller
    return (
        account_for(kind=AccountKind.SELLER_IN_TRANSIT, currency=payout.currency, seller=seller),
        account_for(kind=AccountKind.SELLER_AVAILABLE, currency=payout.currency, seller=seller),
        account_for(kind=AccountKind.PAYOUT_CLEARING, currency=payout.currency, gateway=payout.gateway),
    )


def _payout_settle(
    *,
    payout: Payout,
    state: str,
    counter_account: Account,
    kind: str,
    description: str,
    fields: dict[str, Any],
    audit_after: dict[str, Any],
    actor: Any,
    now: datetime,
    refusal: str,
    metadata: dict[str, Any] | None = None,
) -> Payout:
    """Move an in-transit payout to its final `state`: Dr in-transit / Cr `counter_account`, the payout row
    updated with `fields` and an audit row, all in one transaction. Idempotent on the final state."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.state == state:
            return payout
        if payout.state != Payout.State.IN_TRANSIT:
            raise InvalidState(f"This payout is {payout.state}; only a payout in transit {refusal}.")
        in_transit = _payout_accounts(payout)[0]
        accounts_lock([in_transit, counter_account])
        entry_post(
            kind=kind,
            lines=[Line(in_transit, payout.amount), Line(counter_account, -payout.amount)],
            description=description,
            reference_type="payout",
            reference_id=str(payout.public_id),
            idempotency_key=f"{kind}:{payout.pk}",
            metadata=metadata,
            actor=actor,
            effective_at=now,
        )
        payout.state = state
        for name, value in fields.items():
            setattr(payout, name, value)
        payout.save(update_fields=["state", *fields, "updated_at"])
        audit_record(
            actor=actor,
            action=f"revenue.{kind.replace('payout_', 'payout_mark_')}",
            obj=payout,
            before={"state": Payout.State.IN_TRANSIT},
            after={"state": payout.state, **audit_after},
        )
    return payout


def payout_mark_paid(*, payout: Payout, now: datetime | None = None, actor: Any = None) -> Payout:
    """The money reached the seller: Dr in-transit / Cr payout clearing. Idempotent; a failed payout cannot
    be marked paid."""
    now = now or timezone.now()
    payout = Payout.objects.select_related("seller").get(pk=payout.pk)
    return _payout_settle(
        payout=payout,
        state=Payout.State.PAID,
        counter_account=_payout_accounts(payout)[2],
        kind=JournalEntry.Kind.PAYOUT_PAID,
        description=f"Payout {payout.public_id} paid",
        fields={"paid_at": now},
        audit_after={"amount": payout.amount, "currency": payout.currency},
        refusal="can be marked paid",
        actor=actor,
        now=now,
    )


def payout_mark_failed(
    *, payout: Payout, message: str, actor: Any = None, now: datetime | None = None
) -> Payout:
    """The transfer did not arrive: Dr in-transit / Cr available (paid again by a later run). Idempotent; a
    paid payout cannot be marked failed."""
    now = now or timezone.now()
    message = (message or "").strip()[:255] or "Transfer failed"
    payout = Payout.objects.select_related("seller").get(pk=payout.pk)
    return _payout_settle(
        payout=payout,
        state=Payout.State.FAILED,
        counter_account=_payout_accounts(payout)[1],
        kind=JournalEntry.Kind.PAYOUT_FAILED,
        description=f"Payout {payout.public_id} failed: {message}",
        fields={"failure_message": message, "failed_at": now},
        audit_after={"message": message},
        refusal="can fail",
        actor=actor,
        now=now,
        metadata={"message": message},
    )


def payout_reverse(
    *,
    payout: Payout,
    message: str,
    reversed_total: int | None = None,
    actor: Any = None,
    now: datetime | None = None,
) -> Payout:
    """A paid payout came back (Stripe's `transfer.reversed`, or a bank return after it was marked paid): Dr
    payout clearing / Cr available, so a later run pays it again. `reversed_total` is how much of it the gateway
    has reversed so far (Stripe's cumulative `amount_reversed`; None: all of it): each call returns only what was
    not returned yet, and a payout reversed in full is failed. Idempotent."""
    now = now or timezone.now()
    message = (message or "").strip()[:255] or "Transfer reversed"
    payout = Payout.objects.select_related("seller").get(pk=payout.pk)
    _in_transit, available, clearing = _payout_accounts(payout)
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.state == Payout.State.FAILED:
            return payout
        if payout.state != Payout.State.PAID:
            raise InvalidState(f"This payout is {payout.state}; only a paid payout can be reversed.")
        total = payout.amount if reversed_total is None else min(max(reversed_total, 0), payout.amount)
        amount = total - payout.reversed_amount
        if amount <= 0:
            return payout  # a replay, or an older event delivered late
        full = total == payout.amount
        accounts_lock([available, clearing])
        entry_post(
            kind=JournalEntry.Kind.PAYOUT_FAILED,
            lines=[Line(clearing, amount), Line(available, -amount)],
            description=f"Payout {payout.public_id} reversed{'' if full else ' in part'}: {message}",
            reference_type="payout",
            reference_id=str(payout.public_id),
            idempotency_key=f"payout_reversed:{payout.pk}" + ("" if full else f":{total}"),
            metadata={"message": message, "reversed_total": total},
            actor=actor,
            effective_at=now,
        )
        before = {"state": payout.state, "reversed_amount": payout.reversed_amount}
        payout.reversed_amount = total
        if full:
            # Everything came back: the payout failed (what it paid is in available again).
            payout.state = Payout.State.FAILED
            payout.failure_message = message
            payout.failed_at = now
        payout.save(update_fields=["state", "reversed_amount", "failure_message", "failed_at", "updated_at"])
        audit_record(
            actor=actor,
            action="revenue.payout_reversed",
            obj=payout,
            before=before,
            after={"state": payout.state, "reversed_amount": total, "message": message},
        )
    return payout
