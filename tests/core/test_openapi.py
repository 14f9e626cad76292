"""The OpenAPI schema is warning-free and valid; Swagger UI is served from local static files."""

import json
import re

from django.contrib.staticfiles import finders
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_spec_validator import validate


def test_the_schema_generates_without_warnings_and_is_valid_openapi():
    GENERATOR_STATS.reset()

    schema = SchemaGenerator().get_schema(request=None, public=True)

    problems = sorted({**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache})
    assert not problems, "drf-spectacular warnings:\n" + "\n".join(problems)
    # Validate what clients download: the rendered JSON, not the in-memory dict.
    document = json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["paths"]
    assert all(path.startswith("/api/v1/") for path in document["paths"])


def test_swagger_ui_loads_its_assets_locally(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets  # the page does reference its bundle, css and icon
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local static file"
    assert not re.search(r"https?://", html)
    assert "cdn" not in html.lower()
