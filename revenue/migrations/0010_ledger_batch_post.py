"""Post a journal entry by `revenue_entry_post_json(jsonb)`, replacing `revenue_entry_post`: one JSON parameter,
which psycopg passes as one string, instead of sixteen parameters with five arrays that it adapted value by value
(the largest Python cost of a posting); and
drop the journal-entry indexes no lookup needs (created_at, kind) or make them partial (reverses, created_by:
NULL on almost every entry), so each posted entry updates five indexes instead of nine."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORWARD = """
CREATE OR REPLACE FUNCTION revenue_entry_post_json(e jsonb)
RETURNS TABLE (out_entry_id bigint, out_status text, out_balance bigint, out_delta bigint) AS $$
DECLARE
    v_now timestamptz := (e->>'now')::timestamptz;
    v_key text := e->>'idempotency_key';
    v_id bigint;
    v_increase bigint;
    r record;
BEGIN
    -- An entry that decreases running balances first answers a replay (before locking: a replay must not be
    -- refused for funds its first posting used), then locks those accounts in id order (the lock order every
    -- money service uses), folds their pending increases into the balance (neutral, so it stands even if the
    -- check then refuses), and checks. An entry that only adds (a sale) skips all of that.
    IF jsonb_array_length(e->'decreases') > 0 THEN
        IF v_key IS NOT NULL THEN
            SELECT j.id INTO v_id FROM revenue_journalentry j WHERE j.idempotency_key = v_key;
            IF FOUND THEN
                RETURN QUERY SELECT v_id, 'exists'::text, NULL::bigint, NULL::bigint;
                RETURN;
            END IF;
        END IF;
        FOR r IN
            SELECT a.id, a.balance AS bal, (x->>1)::bigint AS dlt
            FROM revenue_account a
            JOIN jsonb_array_elements(e->'decreases') x ON a.id = (x->>0)::bigint
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
    END IF;
    INSERT INTO revenue_journalentry (
        public_id, created_at, updated_at, kind, description, reference_type, reference_id, idempotency_key,
        reverses_id, metadata, effective_at, created_by_id
    ) VALUES (
        (e->>'public_id')::uuid, v_now, v_now, e->>'kind', e->>'description', e->>'reference_type',
        e->>'reference_id', v_key, (e->>'reverses')::bigint, e->'metadata',
        (e->>'effective_at')::timestamptz, (e->>'created_by')::bigint
    )
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN  -- posted before (a replay), or a concurrent call with the same key committed first
        SELECT j.id INTO v_id FROM revenue_journalentry j WHERE j.idempotency_key = v_key;
        RETURN QUERY SELECT v_id, 'exists'::text, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    INSERT INTO revenue_posting (entry_id, account_id, amount, currency)
    SELECT v_id, (p->>0)::bigint, (p->>1)::bigint, p->>2
    FROM jsonb_array_elements(e->'postings') WITH ORDINALITY AS t(p, n)
    ORDER BY t.n;
    IF jsonb_array_length(e->'decreases') > 0 THEN
        UPDATE revenue_account a SET balance = a.balance + (x->>1)::bigint
        FROM jsonb_array_elements(e->'decreases') x
        WHERE a.id = (x->>0)::bigint;
    END IF;
    IF jsonb_array_length(e->'increases') > 0 THEN
        INSERT INTO revenue_balanceincrease (account_id, amount)
        SELECT (x->>0)::bigint, (x->>1)::bigint FROM jsonb_array_elements(e->'increases') x;
    END IF;
    RETURN QUERY SELECT v_id, 'posted'::text, NULL::bigint, NULL::bigint;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS revenue_entry_post(uuid, timestamptz, text, text, text, text, text, jsonb, bigint, bigint,
    timestamptz, bigint[], bigint[], text[], bigint[], bigint[]);
"""

BACKWARD = "DROP FUNCTION IF EXISTS revenue_entry_post_json(jsonb);"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)
        previous = importlib.import_module("revenue.migrations.0006_entry_post_function")
        schema_editor.execute(previous.FORWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("revenue", "0009_posting_account_index_covered"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.AlterField(
            model_name="journalentry",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="kind",
            field=models.CharField(
                choices=[
                    ("sale", "Sale"),
                    ("gateway_fee", "Gateway fee"),
                    ("release", "Escrow release"),
                    ("refund", "Refund"),
                    ("dispute_opened", "Dispute opened"),
                    ("dispute_won", "Dispute won"),
                    ("dispute_lost", "Dispute lost"),
                    ("payout", "Payout initiated"),
                    ("payout_paid", "Payout paid"),
                    ("payout_failed", "Payout failed"),
                    ("receivable_offset", "Receivable netted off"),
                    ("bank_transfer", "Bank transfer received"),
                    ("adjustment", "Manual adjustment"),
                    ("grant", "Platform grant"),
                    ("reversal", "Reversal"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="journalentry",
            name="reverses",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversals",
                to="revenue.journalentry",
            ),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                condition=models.Q(("reverses__isnull", False)),
                fields=["reverses"],
                name="entry_reverses_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="journalentry",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="entry_created_by_idx",
            ),
        ),
    ]
