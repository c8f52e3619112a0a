"""The investigation case's states and allowed moves (lishui_fire/core/workflow.py is the door)."""

from lishui_fire.core.workflow import Workflow, register_workflow

from .models import CaseStatus as S

CASE_WORKFLOW = Workflow(
    choices=S,
    transitions={
        # Determined (the letter made), then served; the simple letter is served on the spot.
        S.INVESTIGATING: {S.DETERMINED, S.SERVED},
        S.DETERMINED: {S.SERVED},
        # After service a party may apply for review (once); without one the case closes.
        S.SERVED: {S.UNDER_REVIEW, S.CLOSED},
        S.UNDER_REVIEW: {S.CLOSED, S.REDETERMINING},
        S.REDETERMINING: {S.DETERMINED},
    },
    open_statuses={S.INVESTIGATING, S.DETERMINED, S.SERVED, S.UNDER_REVIEW, S.REDETERMINING},
    final_statuses={S.CLOSED},
)

register_workflow("fire_investigation.InvestigationCase", CASE_WORKFLOW)
