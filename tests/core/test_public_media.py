"""Public uploads (app logos and screenshots) are served in every environment; other uploads never are."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "marketplace/logos").mkdir(parents=True)
    (tmp_path / "marketplace/logos/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "marketplace/bundles").mkdir(parents=True)
    (tmp_path / "marketplace/bundles/source.zip").write_bytes(b"PK")
    (tmp_path / "secret.txt").write_text("no")
    return tmp_path


def test_a_logo_is_served_with_its_type_and_caching(client, media):
    response = client.get("/media/marketplace/logos/logo.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "path",
    [
        "/media/marketplace/bundles/source.zip",  # private upload
        "/media/marketplace/logos/missing.png",
        "/media/marketplace/logos/../bundles/source.zip",
        "/media/marketplace/logos/%2e%2e/%2e%2e/secret.txt",
        "/media/secret.txt",
    ],
)
def test_anything_else_is_404(client, media, path):
    assert client.get(path).status_code == 404


def test_only_safe_methods(client, media):
    assert client.post("/media/marketplace/logos/logo.png").status_code == 405
