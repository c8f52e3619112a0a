"""Both permit paths as tables: every listed move passes the check, every other pair of statuses
is refused with IllegalTransition (the exhaustive complement of each table)."""

import itertools

import pytest

from lishui_fire.core.errors import IllegalTransition
from permits.workflow import (
    COMMITMENT_FLOW,
    FINAL_STATUSES,
    INSPECTION_FLOW,
    PermitStatus,
    workflow_for,
)

S = PermitStatus
STATUSES = list(S.values)

COMMITMENT_MOVES = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.RETURNED),
    (S.SUBMITTED, S.NOT_ACCEPTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.RETURNED, S.SUBMITTED),
    (S.RETURNED, S.WITHDRAWN),
    (S.APPROVED, S.VERIFIED),
    (S.APPROVED, S.RECTIFICATION),
    (S.RECTIFICATION, S.VERIFIED),
    (S.RECTIFICATION, S.REVOKED),
}
INSPECTION_MOVES = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.RETURNED),
    (S.SUBMITTED, S.NOT_ACCEPTED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.RETURNED, S.SUBMITTED),
    (S.RETURNED, S.WITHDRAWN),
    (S.ACCEPTED, S.INSPECTED),
    (S.INSPECTED, S.APPROVED),
    (S.INSPECTED, S.REJECTED),
}
ALL_PAIRS = list(itertools.product(STATUSES, STATUSES))


@pytest.mark.parametrize(
    ("flow", "moves"),
    [(COMMITMENT_FLOW, COMMITMENT_MOVES), (INSPECTION_FLOW, INSPECTION_MOVES)],
    ids=["commitment", "inspection"],
)
def test_the_table_lists_exactly_the_moves_the_law_gives(flow, moves):
    listed = {(a, b) for a in STATUSES for b in flow.allowed(a)}
    assert listed == moves


@pytest.mark.parametrize(("source", "target"), sorted(COMMITMENT_MOVES))
def test_every_commitment_move_is_allowed(source, target):
    COMMITMENT_FLOW.check(source, target)


@pytest.mark.parametrize(("source", "target"), sorted(INSPECTION_MOVES))
def test_every_inspection_move_is_allowed(source, target):
    INSPECTION_FLOW.check(source, target)


@pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if p not in COMMITMENT_MOVES])
def test_every_other_commitment_pair_is_refused(source, target):
    with pytest.raises(IllegalTransition):
        COMMITMENT_FLOW.check(source, target)


@pytest.mark.parametrize(("source", "target"), [p for p in ALL_PAIRS if p not in INSPECTION_MOVES])
def test_every_other_inspection_pair_is_refused(source, target):
    with pytest.raises(IllegalTransition):
        INSPECTION_FLOW.check(source, target)


@pytest.mark.parametrize(
    "flow", [COMMITMENT_FLOW, INSPECTION_FLOW], ids=["commitment", "inspection"]
)
@pytest.mark.parametrize("final", sorted(FINAL_STATUSES))
def test_a_final_status_has_no_way_out(flow, final):
    assert flow.allowed(final) == frozenset()


def test_the_paths_differ_where_the_law_differs():
    assert workflow_for("commitment") is COMMITMENT_FLOW
    assert workflow_for("inspection") is INSPECTION_FLOW
    # 即办: the commitment path grants at once; the inspection path must accept and inspect first.
    assert COMMITMENT_FLOW.can_move(S.SUBMITTED, S.APPROVED)
    assert not INSPECTION_FLOW.can_move(S.SUBMITTED, S.APPROVED)
    # Only the commitment path is verified and can be revoked after a false commitment.
    assert not INSPECTION_FLOW.can_move(S.APPROVED, S.VERIFIED)
    assert not INSPECTION_FLOW.can_move(S.APPROVED, S.REVOKED)
    # Only the inspection path ends in a refusal after the inspection.
    assert not COMMITMENT_FLOW.can_move(S.SUBMITTED, S.REJECTED)


def test_the_refusal_message_names_both_statuses():
    with pytest.raises(IllegalTransition) as exc:
        INSPECTION_FLOW.check(S.ACCEPTED, S.APPROVED)
    assert str(S.ACCEPTED.label) in str(exc.value)
    assert str(S.APPROVED.label) in str(exc.value)
