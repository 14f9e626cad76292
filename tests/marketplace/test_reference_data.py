"""Categories and the first developer agreement come from a data migration (0003_catalog_seed), once — not from
a handler re-run after every migrate — and seeding them again changes nothing."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate

from marketplace.models import Category, DeveloperAgreement
from marketplace.reference import CATEGORIES

pytestmark = pytest.mark.django_db
seed_migration = importlib.import_module("marketplace.migrations.0003_catalog_seed")


def test_the_migration_created_the_categories_and_the_agreement():
    assert list(Category.objects.values_list("slug", flat=True)) == [slug for slug, _n, _d in CATEGORIES]
    assert DeveloperAgreement.objects.get(version="1.0").body.startswith("## NovaCron Marketplace")


def test_no_post_migrate_handler_recreates_them():
    assert not [key for key, *_ in post_migrate.receivers if "marketplace" in repr(key)]


def test_seeding_again_keeps_staff_edits_and_adds_only_what_is_missing():
    # Given staff renamed a category and one was deleted
    Category.objects.filter(slug="security").update(name="Security & secrets")
    Category.objects.filter(slug="communication").delete()

    # When the migration's seed runs again
    seed_migration.seed_reference_data(apps, SimpleNamespace(connection=connection))

    # Then the missing one is back, the edit stays and nothing is doubled
    assert Category.objects.count() == len(CATEGORIES)
    assert Category.objects.get(slug="security").name == "Security & secrets"
    assert DeveloperAgreement.objects.count() == 1


@pytest.mark.postgres
def test_the_search_vector_is_kept_inline():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'marketplace_app'::regclass AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == "m"
