from django.http import HttpRequest, HttpResponse

from novacron.core.portal import area_page


def index(request: HttpRequest) -> HttpResponse:
    return area_page(request, area="growth")
