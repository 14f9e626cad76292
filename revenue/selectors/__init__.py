"""Revenue reads shared by the portal, the API, the facade and the dashboard panel.

Every function is typed, takes model instances or plain values, and issues a fixed number of queries whatever
the number of rows (no N+1): aggregates are grouped in the database, related rows come with select_related /
prefetch_related. Money is integer minor units plus currency, or `novacron.core.money.Money` where it is meant
for display. Import this package (`from revenue import selectors`); its modules group the reads by audience.
"""

from revenue.selectors.finance import (
    FinanceOverview,
    account_postings,
    dispute_detail,
    disputes_for_finance,
    finance_overview,
    ledger_account,
    ledger_accounts,
    ledger_entries,
    ledger_entry,
    payouts_for_finance,
    refunds_to_send,
)
from revenue.selectors.orders import (
    active_products,
    order_detail,
    order_latest_payment,
    order_refunds,
    orders_awaiting_transfer,
    orders_for_buyer,
    orders_for_finance,
    recent_orders_for_buyer,
)
from revenue.selectors.sellers import (
    BALANCE_FIELDS,
    SELLER_ORG_ROLES,
    SellerBalance,
    TierProgress,
    payout_accounts_for_seller,
    payouts_for_seller,
    sales_for_seller,
    seller_balances,
    seller_balances_for,
    seller_organization_ids,
    sellers_for_user,
    tier_progress,
    trailing_revenue_usd,
)
from revenue.selectors.statements import (
    STATEMENT_COLUMNS,
    STATEMENT_CSV_HEADER,
    STATEMENT_LABELS,
    Statement,
    StatementRow,
    earnings_statement,
    statement_csv_lines,
    statement_csv_rows,
)

__all__ = [
    "BALANCE_FIELDS",
    "SELLER_ORG_ROLES",
    "STATEMENT_COLUMNS",
    "STATEMENT_CSV_HEADER",
    "STATEMENT_LABELS",
    "FinanceOverview",
    "SellerBalance",
    "Statement",
    "StatementRow",
    "TierProgress",
    "account_postings",
    "active_products",
    "dispute_detail",
    "disputes_for_finance",
    "earnings_statement",
    "finance_overview",
    "ledger_account",
    "ledger_accounts",
    "ledger_entries",
    "ledger_entry",
    "order_detail",
    "order_latest_payment",
    "order_refunds",
    "orders_awaiting_transfer",
    "orders_for_buyer",
    "orders_for_finance",
    "payout_accounts_for_seller",
    "payouts_for_finance",
    "payouts_for_seller",
    "recent_orders_for_buyer",
    "refunds_to_send",
    "sales_for_seller",
    "seller_balances",
    "seller_balances_for",
    "seller_organization_ids",
    "sellers_for_user",
    "statement_csv_lines",
    "statement_csv_rows",
    "tier_progress",
    "trailing_revenue_usd",
]
