"""The SDK and the `novacron` CLI against the real app served by pytest-django's live server: log in, who am I,
tokens, organisations, and how every kind of error reaches the user."""

from __future__ import annotations

import json
import stat
import uuid

import pytest

from novacron.accounts.models import ApiToken, OrgRole
from novacron_sdk import (
    AuthenticationError,
    NotFoundError,
    NovacronClient,
    PermissionDeniedError,
    ValidationError,
)
from novacron_sdk.resources.accounts import ORGANIZATIONS, CreatedApiToken, Me
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.sdk.conftest import make_token

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The session-wide live server starts before the per-test settings give it a static folder.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]


# --- SDK ---------------------------------------------------------------------------------------------------------


def test_sdk_reads_the_profile_as_a_typed_dataclass(sdk, account):
    me = sdk.accounts.me()

    assert isinstance(me, Me)
    assert me.email == "ada@example.com"
    assert me.public_id == account.user.public_id
    assert me.date_joined.tzinfo is not None
    assert me.raw["email"] == "ada@example.com"
    with pytest.raises(AttributeError):
        me.email = "eve@example.com"  # frozen


def test_sdk_pages_through_organisations(sdk, account):
    for index in range(5):
        MembershipFactory(
            user=account.user, organization=OrganizationFactory(name=f"Org {index}"), role=OrgRole.ADMIN
        )

    everything = [org.slug for org in sdk.accounts.organizations()]
    two = [org.slug for org in sdk.accounts.organizations(limit=2)]
    pages = list(sdk.paginate(ORGANIZATIONS, page_size=2).pages())

    assert sorted(everything) == [f"org-{i}" for i in range(5)]
    assert len(two) == 2
    assert [len(page) for page in pages] == [2, 2, 1]
    assert all(page.count == 5 for page in pages)
    assert [page.has_next for page in pages] == [True, True, False]
    assert {org.my_role for org in sdk.accounts.organizations()} == {"admin"}


def test_sdk_creates_a_token_once_per_idempotency_key(sdk, account):
    key = str(uuid.uuid4())

    first = sdk.accounts.create_token(name="ci", scopes=["revenue:read"], idempotency_key=key)
    again = sdk.accounts.create_token(name="ci", scopes=["revenue:read"], idempotency_key=key)

    assert isinstance(first, CreatedApiToken)
    assert first.token.startswith("nc_")
    assert again.public_id == first.public_id  # replayed, not created twice
    assert ApiToken.objects.filter(user=account.user, name="ci").count() == 1


def test_sdk_maps_error_bodies_to_exceptions(live_server, sdk, account):
    with pytest.raises(ValidationError) as invalid:
        sdk.accounts.create_token(name="", scopes=["nonsense"])
    with pytest.raises(NotFoundError) as missing:
        sdk.accounts.organization("no-such-org")
    bad = NovacronClient(live_server.url, "nc_deadbeef_wrong", max_retries=0)
    narrow = NovacronClient(live_server.url, make_token(account.user, ["revenue:read"]), max_retries=0)
    with bad, pytest.raises(AuthenticationError) as rejected:
        bad.accounts.me()
    with narrow, pytest.raises(PermissionDeniedError) as forbidden:
        narrow.accounts.me()

    assert invalid.value.status == 400
    assert invalid.value.code == "invalid"
    assert set(invalid.value.fields) == {"name", "scopes.0"}  # list items are numbered
    assert invalid.value.request_id
    assert missing.value.status == 404
    assert rejected.value.code == "authentication_failed"
    assert "account:read" in forbidden.value.message


# --- CLI: the journey --------------------------------------------------------------------------------------------


def test_login_whoami_tokens_orgs(cli, live_server, account):
    MembershipFactory(
        user=account.user, organization=OrganizationFactory(name="Acme Labs"), role=OrgRole.OWNER
    )

    login = cli("login", "--base-url", live_server.url, "--token", account.token)
    whoami = cli("whoami")
    tokens = cli("tokens", "list")
    orgs = cli("orgs", "list")

    assert login.code == 0, login.err
    assert "Logged in to" in login.out
    assert "ada@example.com" in login.out
    assert whoami.code == 0, whoami.err
    assert "Ada Lovelace" in whoami.out
    assert live_server.url in whoami.out
    assert tokens.code == 0, tokens.err
    assert tokens.out.splitlines()[0].split() == [
        "PREFIX", "NAME", "SCOPES", "STATE", "CREATED", "EXPIRES", "LAST", "USED", "ID",
    ]  # fmt: skip
    prefix = account.token.split("_")[1]
    assert f"nc_{prefix}_…" in tokens.out
    assert "read,write" in tokens.out
    assert orgs.code == 0, orgs.err
    assert "acme-labs" in orgs.out
    assert "owner" in orgs.out


def test_login_stores_the_token_privately_per_profile(cli, live_server, account):
    other = make_token(UserFactory(email="bob@example.com"), ["read"])

    cli("login", "--base-url", live_server.url, "--token", account.token)
    cli("login", "--base-url", live_server.url, "--profile", "bob", env={"NOVACRON_TOKEN": other})
    config = cli.config_file.read_text()

    assert stat.S_IMODE(cli.config_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(cli.config_file.parent.stat().st_mode) == 0o700
    assert "[profiles.default]" in config
    assert "[profiles.bob]" in config
    assert "ada@example.com" in cli("whoami").out
    assert "bob@example.com" in cli("whoami", "--profile", "bob").out
    assert "bob@example.com" in cli("whoami", env={"NOVACRON_PROFILE": "bob"}).out


def test_login_reads_a_piped_token(cli, live_server, account):
    result = cli("login", "--base-url", live_server.url, stdin=account.token + "\n")

    assert result.code == 0, result.err
    assert account.token in cli.config_file.read_text()


def test_json_output_is_the_apis_json(logged_in, account):
    whoami = logged_in("whoami", "--json")
    tokens = logged_in("--json", "tokens", "list")  # before the command works too
    orgs = logged_in("orgs", "list", "--json")

    assert json.loads(whoami.out)["public_id"] == str(account.user.public_id)
    assert [token["name"] for token in json.loads(tokens.out)] == ["sdk tests"]
    assert json.loads(orgs.out) == []


def test_tokens_create_and_revoke(logged_in, account):
    created = logged_in("tokens", "create", "reports", "--scope", "revenue:read", "--json")
    body = json.loads(created.out)
    revoked = logged_in("tokens", "revoke", body["public_id"])
    listed = logged_in("tokens", "list")

    assert created.code == 0, created.err
    assert body["token"].startswith("nc_")
    assert body["scopes"] == ["revenue:read"]
    assert revoked.code == 0, revoked.err
    assert "revoked" in [line.split()[3] for line in listed.out.splitlines() if "reports" in line]


def test_logout_forgets_the_token_and_can_revoke_it(logged_in, account):
    logout = logged_in("logout", "--revoke")
    whoami = logged_in("whoami")

    assert logout.code == 0, logout.err
    assert "revoked" in logout.out
    assert ApiToken.objects.get(user=account.user).revoked_at is not None
    assert "token" not in logged_in.config_file.read_text().split("]", 1)[1]
    assert whoami.code == 2
    assert "not logged in" in whoami.err


# --- CLI: errors and exit codes ----------------------------------------------------------------------------------


def test_a_bad_token_fails_login_with_exit_2(cli, live_server):
    result = cli("login", "--base-url", live_server.url, "--token", "nc_deadbeef_not-a-real-token")

    assert result.code == 2
    assert "rejected the token" in result.err
    assert not cli.config_file.exists()


def test_a_revoked_token_suggests_logging_in_again(logged_in, account):
    ApiToken.objects.filter(user=account.user).update(revoked_at="2020-01-01T00:00:00Z")

    result = logged_in("whoami")

    assert result.code == 2
    assert "Invalid, expired or revoked API token." in result.err
    assert "novacron login" in result.err
    assert "request id:" in result.err


def test_a_missing_scope_is_explained(cli, live_server, account):
    narrow = make_token(account.user, ["revenue:read"])
    login = cli("login", "--base-url", live_server.url, "--token", narrow)

    result = cli("tokens", "list")

    assert login.code == 0
    assert "cannot read your profile" in login.err
    assert result.code == 2
    assert "needs the 'account:read' (or 'read') scope" in result.err
    assert "create a token with that scope" in result.err


def test_validation_errors_are_printed_per_field(logged_in):
    result = logged_in("tokens", "create", "x" * 150, "--scope", "everything")

    assert result.code == 1
    assert "(400 invalid)" in result.err
    assert "  name: Ensure this field has no more than 100 characters." in result.err
    assert '  scopes.0: "everything" is not a valid choice.' in result.err


def test_not_found_exits_4_and_json_mode_prints_the_error_body(logged_in):
    result = logged_in("orgs", "show", "no-such-org")
    as_json = logged_in("orgs", "show", "no-such-org", "--json")

    assert result.code == 4
    assert "(404 not_found)" in result.err
    assert as_json.code == 4
    assert json.loads(as_json.out)["error"]["code"] == "not_found"


def test_status_works_without_logging_in(cli, live_server):
    result = cli("status", "--base-url", live_server.url)
    as_json = cli("status", "--base-url", live_server.url, "--json")

    assert result.code == 0, result.err
    assert "API:       ok" in result.out
    assert "database  ok" in result.out
    assert "not checked: not logged in" in result.out
    assert json.loads(as_json.out)["health"]["status"] == "ok"


def test_not_logged_in_exits_2(cli):
    result = cli("whoami")

    assert result.code == 2
    assert "not logged in" in result.err
    assert "novacron login" in result.err
