"""The moves of a credit-grade proposal: pending until a supervisor confirms or overrides it, or
a newer calculation of the same unit replaces it (``lishui_fire.core.workflow``)."""

from lishui_fire.core.workflow import Workflow, register_workflow

from .models import ProposalStatus as P

PROPOSAL_FLOW = Workflow(
    choices=P,
    transitions={P.PENDING: {P.CONFIRMED, P.OVERRIDDEN, P.SUPERSEDED}},
    open_statuses={P.PENDING},
    final_statuses={P.CONFIRMED, P.OVERRIDDEN, P.SUPERSEDED},
)

register_workflow("enterprises.CreditGradeProposal", PROPOSAL_FLOW)
