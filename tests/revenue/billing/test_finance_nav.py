"""Finance's billing pages show one navigation: the finance nav, which lists the billing pages too."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    "revenue:finance",
    "revenue:finance_invoices",
    "revenue:finance_tax_report",
    "revenue:finance_coupons",
    "revenue:finance_fx_rates",
    "revenue:finance_dunning",
]


@pytest.mark.parametrize("name", PAGES)
def test_a_finance_page_has_one_nav_listing_every_finance_page(client, finance_user, name):
    client.force_login(finance_user)

    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    navs = re.findall(r'<nav aria-label="(?:Finance|Billing)">.*?</nav>', html, flags=re.S)
    assert len(navs) == 1
    assert navs[0].startswith('<nav aria-label="Finance">')
    for page in PAGES:
        assert f'href="{reverse(page)}"' in navs[0]
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', navs[0])
    assert current == [reverse(name)]
