import re

from novacron.core.docs_links import resolve_docs_href
from novacron.core.portal import render_markdown


def test_relative_links_between_docs_pages_point_at_their_portal_pages():
    html = render_markdown(
        "See [payouts](../user/payouts.md#payout-schedule), [the API](/api/docs/) and [x](https://example.com).",
        docs_path="areas/revenue",
    )
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == ["/devex/docs/user/payouts/#payout-schedule", "/api/docs/", "https://example.com"]


def test_links_that_leave_the_docs_folder_are_left_alone():
    assert resolve_docs_href("../../etc/passwd.md", "areas/revenue") == "../../etc/passwd.md"


def test_the_revenue_area_page_links_work(client):
    page = client.get("/revenue/").content.decode()
    assert 'href="/devex/docs/user/payouts/' in page
    assert ".md" not in "".join(re.findall(r'href="([^"]*)"', page))


def test_markdown_keeps_images_but_not_scripts_or_handlers():
    html = render_markdown(
        '![Architecture](https://example.com/a.png "Diagram")\n\n'
        '<img src="javascript:alert(1)" onerror="alert(2)">\n\n<script>alert(3)</script>'
    )

    assert '<img alt="Architecture" src="https://example.com/a.png" title="Diagram">' in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert "<script" not in html
