"""Persona names of the root conftest's ``personas`` fixture, in the column order of an access
table (``@pytest.mark.access`` and the apps' own tables): one list, so a new role is added once."""

PERSONAS = (
    "owner",
    "other_applicant",
    "inspector",
    "other_brigade_inspector",
    "supervisor",
    "chief",
    "administrator",
    "legal_officer",
    "discipline_officer",
    "anonymous",
)
