"""The standalone verifier on a real published draw: a plan published and drawn by the plans
part, its public API document fetched over HTTP by ``scripts/verify_draw.py`` in a subprocess
(Python standard library only), and a tampered copy of the same document rejected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytest.importorskip("inspections.services.plans", reason="the plans part has not landed yet")
plans_support = pytest.importorskip("inspections.tests.plans_support")

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "verify_draw.py"


def run(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"},
    )


@pytest.fixture
def drawn_plan(make_enterprise, make_user, supervisor):
    for _ in range(6):
        make_enterprise()
    make_enterprise(key_unit=True, venue_type="hotel")
    for _ in range(3):
        plans_support.certify(make_user("inspector", "LD"))
    return plans_support.make_plan(supervisor, state="drawn")


@pytest.mark.django_db(transaction=True)
def test_the_script_verifies_a_real_published_draw_over_http(live_server, drawn_plan):
    url = live_server.url + reverse("public-inspection-plan-detail", args=[drawn_plan.pk])
    done = run(url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "结论：抽取可复现" in done.stdout
    assert "Verdict: the draw reproduces exactly" in done.stdout


@pytest.mark.django_db
def test_the_script_rejects_a_tampered_copy_of_the_published_document(client, tmp_path, drawn_plan):
    doc = client.get(reverse("public-inspection-plan-detail", args=[drawn_plan.pk])).json()
    genuine = tmp_path / "plan.json"
    genuine.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(genuine).returncode == 0
    assert doc["draw"]["selected"], "the plan drew nobody: the tampering below would test nothing"
    doc["draw"]["selected"][0]["inspectors"].reverse()  # the lead swapped with the second
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = run(tampered)
    assert done.returncode == 1
    assert "Verdict: verification FAILED" in done.stdout
