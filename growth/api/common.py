"""Shared API plumbing for the community endpoints."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from novacron.core.api.pagination import DefaultPagination

TAGS = ["growth"]
ERROR = OpenApiResponse(description="Error body: {error: {code, message, fields}, request_id}")


def paginated(request: Request, view: Any, queryset: Any, serializer: Any) -> Response:
    paginator = DefaultPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True, context={"request": request}).data)
