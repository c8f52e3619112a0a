"""Migration 0020: the proposals already left pending by a withdrawal, a return or a 不予受理 —
and one made before a resubmission — are lapsed with a history row; a proposal that can still
be decided stays pending."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("permits", "0015_seed_verification_rules")]
AFTER = [("permits", "0020_proposal_lapsed")]


@pytest.fixture
def migrated_back(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_stale_pending_proposals_lapse_and_live_ones_stay(migrated_back):
    old = migrated_back
    OrgUnit = old.get_model("accounts", "OrgUnit")
    User = old.get_model("accounts", "User")
    Application = old.get_model("permits", "PermitApplication")
    Proposal = old.get_model("permits", "DecisionProposal")
    brigade = OrgUnit.objects.get(code="LD")
    applicant = User.objects.create(username="old-applicant", real_name="李四", role="applicant")
    inspector = User.objects.create(
        username="old-inspector", real_name="王五", role="inspector", org_unit=brigade
    )
    now = timezone.now()
    hour = dt.timedelta(hours=1)

    def proposal(n, status, *, submitted_at, proposed_at):
        application = Application.objects.create(
            reference=f"XKOLD0000{n}",
            applicant=applicant,
            brigade=brigade,
            status=status,
            path="commitment",
            venue_name="老店",
            venue_address="丽水市莲都区解放街 1 号",
            venue_type="hotel",
            floor_area_m2=Decimal("100"),
            capacity=50,
            floors="1 层",
            unit_name="丽水市老字号餐饮有限公司",
            unit_uscc="91331102MA2000000X",
            legal_representative="李四",
            contact_name="李四",
            contact_phone="13857812345",
            submitted_at=submitted_at,
        )
        return Proposal.objects.create(
            application=application,
            outcome="approve",
            proposed_by=inspector,
            proposed_at=proposed_at,
        ).pk

    withdrawn = proposal(1, "withdrawn", submitted_at=now - 2 * hour, proposed_at=now - hour)
    returned = proposal(2, "returned", submitted_at=now - 2 * hour, proposed_at=now - hour)
    resubmitted = proposal(3, "submitted", submitted_at=now, proposed_at=now - hour)
    live = proposal(4, "submitted", submitted_at=now - 2 * hour, proposed_at=now - hour)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Proposal = new.get_model("permits", "DecisionProposal")
    StatusChange = new.get_model("core", "StatusChange")
    statuses = dict(Proposal.objects.values_list("pk", "status"))
    assert statuses == {
        withdrawn: "lapsed",
        returned: "lapsed",
        resubmitted: "lapsed",
        live: "pending",
    }
    rows = StatusChange.objects.filter(content_type__model="decisionproposal", to_status="lapsed")
    assert sorted(int(r) for r in rows.values_list("object_id", flat=True)) == sorted(
        [withdrawn, returned, resubmitted]
    )
