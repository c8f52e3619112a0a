"""One venue-type vocabulary for the registry and the permits; the permits' is its gathering part."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lishui_fire.core.validators import uscc_check_char
from lishui_fire.enterprises import services
from lishui_fire.enterprises.models import (
    GATHERING_VENUE_TYPES,
    Enterprise,
    VenueType,
    gathering_venue_types,
    is_gathering_venue_type,
)
from permits.models import GatheringVenueType, PermitApplication, PrecheckBooking

# Every code either vocabulary accepted before they became one: each must still be accepted.
OLD_PERMIT_CODES = [
    "hotel",
    "restaurant",
    "mall",
    "market",
    "terminal",
    "stadium",
    "hall",
    "cinema",
    "dance",
    "teahouse",
    "games",
    "bowling",
    "sauna",
    "fitness",
]
OLD_REGISTRY_CODES = [
    "hotel",
    "restaurant",
    "mall",
    "terminal",
    "stadium",
    "hall",
    "entertainment",
    "factory",
    "warehouse",
    "hospital",
    "school",
    "highrise",
    "other",
]


def test_the_permits_vocabulary_is_the_gathering_part_of_the_registrys():
    assert GatheringVenueType.values == OLD_PERMIT_CODES  # same codes, same order
    assert set(GatheringVenueType.values) == GATHERING_VENUE_TYPES
    assert GatheringVenueType.choices == gathering_venue_types()
    for value, label in GatheringVenueType.choices:
        assert str(VenueType(value).label) == str(label)


def test_every_code_accepted_before_is_still_accepted():
    assert set(OLD_REGISTRY_CODES) <= set(VenueType.values)
    assert set(OLD_PERMIT_CODES) <= set(VenueType.values)
    assert all(is_gathering_venue_type(code) for code in OLD_PERMIT_CODES)
    assert not any(
        is_gathering_venue_type(code) for code in ("factory", "warehouse", "hospital", "other")
    )


def test_both_models_take_their_choices_from_the_one_vocabulary():
    registry = dict(Enterprise._meta.get_field("venue_type").choices)
    permits = dict(PermitApplication._meta.get_field("venue_type").choices)
    bookings = dict(PrecheckBooking._meta.get_field("venue_type").choices)

    assert registry == dict(VenueType.choices)
    assert permits == bookings == dict(gathering_venue_types())


def test_a_permit_still_refuses_a_registry_only_kind(api_for, citizen):
    response = api_for(citizen).post("/api/v1/permits/", {"venue_type": "factory"}, format="json")

    assert response.status_code == 400
    assert "venue_type" in response.json()


def test_the_openapi_schema_keeps_both_enum_names(api_for):
    schema = (
        api_for(None).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    )
    components = schema["components"]["schemas"]

    assert components["GatheringVenueTypeEnum"]["enum"] == OLD_PERMIT_CODES
    assert set(OLD_REGISTRY_CODES) <= set(components["EnterpriseVenueTypeEnum"]["enum"])


def _uscc(n: int) -> str:
    first17 = f"91331102{n:09d}"
    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("商场、集贸市场", "mall"),  # the old template's label
        ("集贸市场", "market"),
        ("客运车站、码头、机场候机楼", "terminal"),
        ("码头", "terminal"),
        ("餐馆", "restaurant"),
        ("歌舞厅", "dance"),
        ("factory", "factory"),
    ],
)
def test_the_import_reads_old_and_new_spellings(administrator, settings, tmp_path, spelling, code):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(services.IMPORT_HEADERS)
    writer.writerow([_uscc(1), "某单位", "某地", "LD", spelling, "", "", "", ""])
    upload = SimpleUploadedFile("units.csv", buffer.getvalue().encode(), content_type="text/csv")

    job = services.start_enterprise_import(uploaded_file=upload, uploaded_by=administrator)
    job = services.process_enterprise_import(import_id=job.pk)

    assert job.errors == []
    assert Enterprise.objects.get().venue_type == code
