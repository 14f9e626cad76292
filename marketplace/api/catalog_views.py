"""Catalog API: search with facets, app pages, categories and the manifest schema (public: no sign-in)."""

import math
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api.serializers import AppDetailSerializer, CatalogSerializer, CategorySerializer
from marketplace.models import App, Category, Plan
from marketplace.selectors.cache import cache_key, cached
from marketplace.selectors.catalog import (
    SORTS,
    CatalogQuery,
    app_badges,
    catalog_results,
    catalog_search,
)
from marketplace.selectors.lookups import visible_app_or_404
from marketplace.selectors.organizations import organization_id_of
from marketplace.selectors.pricing import customer_prices
from marketplace.services.checks import manifest_schema

TAGS = ["marketplace: catalog"]
PAGE_SIZE = 24
MAX_PAGE_SIZE = 100


def _param(name: str, description: str, enum: list[str] | None = None, type_: Any = str) -> OpenApiParameter:
    return OpenApiParameter(
        name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum
    )


CATALOG_PARAMETERS = [
    _param("q", "Full-text query (stemmed; name weighs more than tagline, tagline more than description)"),
    _param("category", "Category slug"),
    _param("vertical", "healthcare, finance, retail, manufacturing, education, ..."),
    _param("price_model", "free, one_time, subscription, per_seat, usage", enum=list(Plan.Model.values)),
    _param("min_rating", "Average rating at least (1-5)", type_=int),
    _param("certification", "certified or enterprise_ready", enum=["certified", "enterprise_ready"]),
    _param("language", "Supported language code (en, de, ...)"),
    _param("tag", "Tag slug"),
    _param("sort", "relevance (default with q), rating, installs (default), newest", enum=list(SORTS)),
    _param("page", "Page number (from 1)", type_=int),
    _param("page_size", f"Results per page (at most {MAX_PAGE_SIZE})", type_=int),
    _param("facets", "Set to 0 to skip the facet counts", type_=int),
]


class CatalogView(APIView):
    permission_classes = [AllowAny]
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        parameters=CATALOG_PARAMETERS,
        responses=CatalogSerializer,
        summary="Search the catalog",
        operation_id="marketplace_apps_search",
    )
    def get(self, request: Request) -> Response:
        if request.user.is_authenticated:
            return Response(self.body(request))
        # Anonymous answers are the same for everyone: cached briefly (MARKETPLACE_CATALOG_CACHE_SECONDS).
        params = sorted((k, tuple(request.query_params.getlist(k))) for k in request.query_params)
        return Response(cached(cache_key("catalog-api", params), lambda: self.body(request)))

    def body(self, request: Request) -> dict[str, Any]:
        query = CatalogQuery.from_params(request.query_params)
        try:
            page_size = min(max(int(request.query_params.get("page_size", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
            page = max(int(request.query_params.get("page", 1)), 1)
        except ValueError:
            page_size, page = PAGE_SIZE, 1
        facets: list = []
        if request.query_params.get("facets") != "0":
            _count, facets, apps = catalog_search(query)  # facets and the first ids in one pass
        else:
            apps = catalog_results(query)
        count = apps.count()
        rows = apps[(page - 1) * page_size : page * page_size]
        context = {"badges": app_badges([a.pk for a in rows]), "request": request}
        return dict(
            CatalogSerializer(
                {
                    "count": count,
                    "page": page,
                    "pages": max(math.ceil(count / page_size), 1),
                    "sort": query.effective_sort,
                    "results": rows,
                    "facets": [f.__dict__ for f in facets],
                },
                context=context,
            ).data
        )


class AppDetailView(APIView):
    permission_classes = [AllowAny]
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS,
        summary="An app's page",
        parameters=[
            _param("organization", "Price the plans for this organisation (slug) you own or administer")
        ],
        responses={200: AppDetailSerializer, 404: OpenApiResponse(description="No such listed app")},
    )
    def get(self, request: Request, slug: str) -> Response:
        app = visible_app_or_404(
            slug,
            request.user,
            App.objects.prefetch_related("plans", "screenshots", "tags", "languages", "versions"),
        )
        org_id = (
            organization_id_of(request.query_params.get("organization"), request.user)
            if request.user.is_authenticated
            else None
        )
        context = {
            "badges": app_badges([app.pk]),
            "customer_prices": customer_prices(app.plans.all(), request.user, org_id),
            "request": request,
        }
        return Response(AppDetailSerializer(app, context=context).data)


class CategoryListView(APIView):
    permission_classes = [AllowAny]
    scope_area = "marketplace"

    @extend_schema(tags=TAGS, summary="Categories", responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CategorySerializer(Category.objects.all(), many=True).data)


class ManifestSchemaView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    scope_area = "marketplace"

    @extend_schema(
        tags=TAGS, summary="The app manifest JSON schema (v1)", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request: Request) -> Response:
        return Response(manifest_schema())
