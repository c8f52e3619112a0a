"""No full phone or ID number reaches a role that may not see it (issue 8, PIPL).

For every role of the demo world (and the anonymous public) the harness (``tests/harness/pii.py``)
renders every page it can reach — every GET URL without arguments, then breadth-first through
links, redirects and GET forms, at most two URLs of each shape — every GET operation of the
OpenAPI schema with real ids, every PDF and CSV linked from them, and the audited "show the full
number" buttons; it fails on any known full number (plain, grouped with spaces or hyphens, in
attributes, JSON escapes, PDF text, headers and Django messages) that the viewer neither owns nor
had written to the audit log for that record by the same request.
"""

from __future__ import annotations

import pytest

from tests.harness import pii

pytestmark = [pytest.mark.django_db]

# Each role of the demo world (seed_demo's accounts) and the public.
ROLES = {
    "citizen1": "citizen1",  # applicant: owns most of the demo applications
    "citizen2": "citizen2",  # another applicant
    "inspector1": "inspector1",  # 莲都 brigade: handles, may reveal (audited)
    "inspector3": "inspector3",  # 龙泉 brigade: another brigade's records are out of scope
    "supervisor1": "supervisor1",
    "chief1": "chief1",  # detachment
    "legal1": "legal1",  # reads applications, may not reveal
    "discipline1": "discipline1",  # no applicant records
    "admin": "admin",  # Django admin included
    "anonymous": None,
}
# Roles that must have seen at least one full number through an audited view: proves the
# reveal path was reached and the scanner recognises a full number (the test can fail).
MUST_SEE_AUDITED = {"inspector1", "supervisor1", "chief1", "admin"}


def _fill_blank_numbers() -> int:
    """Give every blank personal-number field a distinctive value (staff phones, optional
    delivery phones), saved one by one so that the audit log's diffs carry them too."""
    from lishui_fire.core.validators import id_check_char

    filled = 0
    for n_field, pf in enumerate(pii.pii_fields()):
        rows = pf.model._default_manager.filter(**{pf.name: ""})
        for n, obj in enumerate(rows.iterator()):
            if pf.kind == pii.PHONE:
                value = f"177{n_field:02d}{n:06d}"[:11]
            else:
                body = f"331102199{n_field % 10}0{n % 9 + 1}{n % 28 + 1:02d}{n % 1000:03d}"[:17]
                value = body + id_check_char(body)
            setattr(obj, pf.name, value)
            obj.save(update_fields=[pf.name])
            filled += 1
    return filled


# Numbers typed into an enterprise import file: one on a row refused for its credit code, one
# written with hyphens on a row refused for its risk level (the error page and errors.csv must
# not echo them), one on a good row (it becomes a unit's contact phone).
IMPORT_PHONES = ("13700001111", "13700002222", "13700003333")


def _seed_enterprise_import():
    """An administrator's import with refused rows (demo data has none): its page and its
    errors.csv are crawled like every other page."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lishui_fire.core.validators import uscc_check_char
    from lishui_fire.enterprises.services import csv_import

    def uscc(n):
        first17 = f"91331102{n:09d}"
        return first17 + uscc_check_char(first17)

    bad_checksum = uscc(901)[:-1] + ("0" if uscc(901)[-1] != "0" else "1")
    rows = [
        ",".join(csv_import.IMPORT_HEADERS),
        f"{bad_checksum},号码单位甲,莲都区人民街 1 号,LD,宾馆、饭店,高风险,A,王五,{IMPORT_PHONES[0]}",
        f"{uscc(902)},号码单位乙,莲都区人民街 2 号,LD,宾馆、饭店,极高,A,赵六,137-0000-2222",
        f"{uscc(903)},号码单位丙,莲都区人民街 3 号,LD,宾馆、饭店,高风险,A,钱七,{IMPORT_PHONES[2]}",
    ]
    admin = get_user_model().objects.get(username="admin")
    upload = SimpleUploadedFile("号码.csv", "\n".join(rows).encode("utf-8"), "text/csv")
    job = csv_import.start_enterprise_import(uploaded_file=upload, uploaded_by=admin)
    csv_import.process_enterprise_import(import_id=job.pk)
    job.refresh_from_db()
    assert job.errors, "the import should have refused rows"
    return job


@pytest.fixture(scope="module")
def world(demo_world, django_db_blocker):
    """The demo world with every personal number known (module-scoped: seeded once)."""
    from django.contrib.contenttypes.models import ContentType

    with django_db_blocker.unblock():
        job = _seed_enterprise_import()
        filled = _fill_blank_numbers()
        known = pii.Known.from_database()
        ct = ContentType.objects.get_for_model(job).pk
        for phone in IMPORT_PHONES[:2]:
            known.add(
                phone,
                pii.Holder("enterprises.EnterpriseImport.file", ct, str(job.pk), "file", None),
            )
        from drf_spectacular.generators import SchemaGenerator

        schema = SchemaGenerator().get_schema(request=None, public=True)
    return {"known": known, "filled": filled, "schema": schema}


def _ids_for(scan, list_path):
    """Ids the role itself lists, plus ids only the administrator sees (out of scope: 404)."""
    from django.contrib.auth import get_user_model

    ids = scan.list_ids(list_path)
    admin = pii.Scan("admin", get_user_model().objects.get(username="admin"), scan.known)
    return list(dict.fromkeys([*ids, *admin.list_ids(list_path)]))


@pytest.mark.parametrize("role", list(ROLES))
def test_no_full_number_reaches_a_role_that_may_not_see_it(world, role):
    from django.contrib.auth import get_user_model

    username = ROLES[role]
    user = get_user_model().objects.get(username=username) if username else None
    known = world["known"]
    assert len(known) > 50, "the demo world should hold many known numbers"

    scan = pii.Scan(role, user, known)
    scan.crawl([*pii.iter_argless_get_urls(), "/accounts/home/"])
    scan.crawl_api(world["schema"], _ids_for)

    print(  # noqa: T201 - the figures of the report (pytest -s)
        f"\n{role}: {dict(scan.responses)} in {scan.seconds:.1f}s; "
        f"own {len(scan.own)}, audited {len(scan.audited)}, leaks {len(scan.leaks)}"
    )
    assert not scan.leaks, "full numbers leaked:\n" + "\n".join(map(str, scan.leaks))
    assert not scan.errors, "server errors while crawling:\n" + "\n".join(scan.errors)
    assert scan.responses["page"] > 5
    if role in MUST_SEE_AUDITED:
        assert scan.audited, f"{role} never saw an audited full number: reveal not reached"
