"""REST API of accounts, mounted at /api/v1/accounts/."""

app_name = "accounts-api"
urlpatterns: list = []
