"""Denormalised facet bits on App: recomputed from the app's active plans and languages by the services that
change them (and the admin), inside their transactions."""

from django.db.models import Q

from marketplace.models import App, AppLanguage, Plan
from marketplace.models.catalog import language_bit, price_bit


def app_refresh_facet_bits(app_id: int) -> None:
    price_bits = 0
    for model in set(Plan.objects.filter(app_id=app_id, is_active=True).values_list("model", flat=True)):
        price_bits |= price_bit(model)
    language_bits = 0
    for code in AppLanguage.objects.filter(app_id=app_id).values_list("code", flat=True):
        language_bits |= language_bit(code)
    App.objects.filter(Q(pk=app_id)).update(price_model_bits=price_bits, language_bits=language_bits)
