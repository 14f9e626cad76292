"""Post a journal entry in one round trip on PostgreSQL (`revenue.services.ledger._post_sql`); stop keeping a
running balance on accounts without a non-negative check (their balance is summed from postings); increases of
running balances are inserted as BalanceIncrease rows, folded in by whoever next locks the account."""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION revenue_entry_post(
    p_public_id uuid, p_now timestamptz, p_kind text, p_description text, p_reference_type text,
    p_reference_id text, p_idempotency_key text, p_metadata jsonb, p_reverses bigint, p_created_by bigint,
    p_effective_at timestamptz, p_accounts bigint[], p_amounts bigint[], p_currencies text[],
    p_balance_accounts bigint[], p_balance_deltas bigint[]
) RETURNS TABLE (out_entry_id bigint, out_status text, out_balance bigint, out_delta bigint) AS $$
DECLARE
    v_id bigint;
    v_increase bigint;
    r record;
BEGIN
    IF p_idempotency_key IS NOT NULL THEN
        SELECT e.id INTO v_id FROM revenue_journalentry e WHERE e.idempotency_key = p_idempotency_key;
        IF FOUND THEN
            RETURN QUERY SELECT v_id, 'exists'::text, NULL::bigint, NULL::bigint;
            RETURN;
        END IF;
    END IF;
    -- Lock the accounts this entry decreases in id order (the lock order every money service uses), fold
    -- their pending increases into the balance (neutral, so it stands even if the check then refuses), check.
    FOR r IN
        SELECT a.id, a.balance AS bal, d.delta AS dlt
        FROM revenue_account a
        JOIN unnest(p_balance_accounts, p_balance_deltas) AS d(id, delta) ON d.id = a.id
        WHERE d.delta < 0
        ORDER BY a.id
        FOR NO KEY UPDATE OF a
    LOOP
        WITH folded AS (
            DELETE FROM revenue_balanceincrease i WHERE i.account_id = r.id RETURNING i.amount
        )
        SELECT coalesce(sum(folded.amount), 0) INTO v_increase FROM folded;
        IF v_increase <> 0 THEN
            UPDATE revenue_account a SET balance = a.balance + v_increase WHERE a.id = r.id;
        END IF;
        IF r.bal + v_increase + r.dlt < 0 THEN
            RETURN QUERY SELECT r.id, 'insufficient'::text, r.bal + v_increase, r.dlt;
            RETURN;
        END IF;
    END LOOP;
    INSERT INTO revenue_journalentry (
        public_id, created_at, updated_at, kind, description, reference_type, reference_id, idempotency_key,
        reverses_id, metadata, effective_at, created_by_id
    ) VALUES (
        p_public_id, p_now, p_now, p_kind, p_description, p_reference_type, p_reference_id, p_idempotency_key,
        p_reverses, p_metadata, p_effective_at, p_created_by
    )
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN  -- a concurrent call with the same key committed first
        SELECT e.id INTO v_id FROM revenue_journalentry e WHERE e.idempotency_key = p_idempotency_key;
        RETURN QUERY SELECT v_id, 'exists'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO revenue_posting (entry_id, account_id, amount, currency)
    SELECT v_id, u.account_id, u.amount, u.currency
    FROM unnest(p_accounts, p_amounts, p_currencies) WITH ORDINALITY AS u(account_id, amount, currency, n)
    ORDER BY u.n;
    UPDATE revenue_account a SET balance = a.balance + d.delta
    FROM unnest(p_balance_accounts, p_balance_deltas) AS d(id, delta)
    WHERE a.id = d.id AND d.delta < 0;
    INSERT INTO revenue_balanceincrease (account_id, amount)
    SELECT d.id, d.delta FROM unnest(p_balance_accounts, p_balance_deltas) AS d(id, delta) WHERE d.delta > 0;
    RETURN QUERY SELECT v_id, 'posted'::text, NULL::bigint, NULL::bigint;
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = "DROP FUNCTION IF EXISTS revenue_entry_post(uuid, timestamptz, text, text, text, text, text, jsonb, " \
    "bigint, bigint, timestamptz, bigint[], bigint[], text[], bigint[], bigint[]);"

SUMMED_KINDS = (
    "platform_revenue",
    "gateway_fees",
    "tax_payable",
    "disputes_held",
    "dispute_losses",
    "platform_grants",
    "gateway_clearing",
    "payout_clearing",
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)
    apps.get_model("revenue", "Account").objects.filter(kind__in=SUMMED_KINDS).update(balance=0)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)
    Account = apps.get_model("revenue", "Account")
    Posting = apps.get_model("revenue", "Posting")
    debit_normal = {"gateway_fees", "disputes_held", "dispute_losses", "platform_grants", "gateway_clearing",
                    "payout_clearing"}
    for account in Account.objects.filter(kind__in=SUMMED_KINDS):
        total = sum(Posting.objects.filter(account=account).values_list("amount", flat=True))
        Account.objects.filter(pk=account.pk).update(balance=total if account.kind in debit_normal else -total)


class Migration(migrations.Migration):
    dependencies = [("revenue", "0005_platform_grants")]
    operations = [
        migrations.AlterField(
            model_name="account",
            name="balance",
            field=models.BigIntegerField(
                default=0,
                help_text="Running balance in the account's normal direction (plus its unfolded increases), kept "
                "only for accounts that must not go negative (seller accounts); 0 for the others, whose balance is "
                "summed from postings. Read balances with Account.objects.with_balance().",
            ),
        ),
        migrations.CreateModel(
            name="BalanceIncrease",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("amount", models.BigIntegerField()),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="increases", to="revenue.account"
                    ),
                ),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(("amount__gt", 0)), name="increase_positive")],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
