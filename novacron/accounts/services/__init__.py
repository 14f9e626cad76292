"""Every write of accounts, one module per family: tokens, organizations, memberships, invitations, profile,
roles (platform roles), users (default roles, access flags). Keyword-only, typed, each owns its transaction and
writes its audit row inside it; side effects (email) run on commit."""
