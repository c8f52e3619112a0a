"""The inspection's states and allowed moves (lishui_fire/core/workflow.py is the door)."""

from lishui_fire.core.workflow import Workflow, register_workflow

from .models import InspectionStatus as S
from .models import PlanStatus as P

INSPECTION_WORKFLOW = Workflow(
    choices=S,
    transitions={
        S.ASSIGNED: {S.SCHEDULED, S.RECORDED, S.CANCELLED},
        S.SCHEDULED: {S.RECORDED, S.CANCELLED},
        # Both officers confirm the record; a rejected record goes back to be corrected.
        S.RECORDED: {S.SCHEDULED, S.CLOSED, S.RECTIFYING, S.REFERRED},
        # Rectified (re-check passed) or not (further action).
        S.RECTIFYING: {S.CLOSED, S.REFERRED},
    },
    open_statuses={S.ASSIGNED, S.SCHEDULED, S.RECORDED, S.RECTIFYING},
    final_statuses={S.CLOSED, S.REFERRED, S.CANCELLED},
)

register_workflow("inspections.Inspection", INSPECTION_WORKFLOW)


# --- drawing: roster and recusal ---

from .models import ConflictStatus as C  # noqa: E402

# A supervisor decides a declaration (recusal or not); the officer may withdraw it until then.
CONFLICT_WORKFLOW = Workflow(
    choices=C,
    transitions={C.PENDING: {C.UPHELD, C.DISMISSED, C.WITHDRAWN}},
    open_statuses={C.PENDING},
    final_statuses={C.UPHELD, C.DISMISSED, C.WITHDRAWN},
)

register_workflow("inspections.ConflictDeclaration", CONFLICT_WORKFLOW)


# --- plans ---
# A draft is written and published; a published plan is drawn once, or replaced by its next
# version before the draw; a drawn plan is replaced only when its draw is voided (a reason).
PLAN_WORKFLOW = Workflow(
    choices=P,
    transitions={
        P.DRAFT: {P.PUBLISHED},
        P.PUBLISHED: {P.DRAWN, P.SUPERSEDED},
        P.DRAWN: {P.SUPERSEDED},
    },
    open_statuses={P.DRAFT, P.PUBLISHED},
    final_statuses={P.SUPERSEDED},
)

register_workflow("inspections.InspectionPlan", PLAN_WORKFLOW)
