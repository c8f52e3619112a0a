"""Pure rules of the permit service: materials, clocks per status, booking cut-off, punctuality,
upload sniffing. No database."""

import datetime as dt

import pytest

from permits import rules
from permits.models import MaterialKind, PermitPath
from permits.workflow import PermitStatus as S

D = dt.date


def fake_due(code: str, start: dt.date) -> tuple[dt.date, bool]:
    """Calendar days as a stand-in for the working-day calendar; 2027 dates are provisional."""
    days = {
        rules.ACCEPTANCE: 5,
        rules.COMMITMENT_DECISION: 1,
        rules.INSPECTION: 10,
        rules.DECISION: 3,
        rules.VERIFICATION: 20,
        rules.RECHECK: 3,
        rules.SERVICE: 10,
        rules.RECHECK_ON_REQUEST: 3,
    }[code]
    end = start + dt.timedelta(days=days)
    return end, end.year >= 2027


EVENTS = rules.Events(
    submitted=D(2026, 3, 2),
    accepted=D(2026, 3, 4),
    inspected=D(2026, 3, 10),
    decided=D(2026, 3, 11),
    rectification_due=D(2026, 4, 30),
)


class TestRecheckOnRequest:
    """The re-check runs 3 working days from the deadline or from the unit's request, whichever
    comes first (DOMAIN.md §1.2); it stops once done."""

    DUE = D(2026, 4, 30)

    @pytest.mark.parametrize(
        ("requested", "expected"),
        [
            (None, (rules.RECHECK, D(2026, 4, 30))),
            (D(2026, 4, 20), (rules.RECHECK_ON_REQUEST, D(2026, 4, 20))),
            (D(2026, 4, 29), (rules.RECHECK_ON_REQUEST, D(2026, 4, 29))),
            (D(2026, 4, 30), (rules.RECHECK, D(2026, 4, 30))),  # on the deadline: the same day
            (D(2026, 5, 6), (rules.RECHECK, D(2026, 4, 30))),  # late: the deadline's clock runs
        ],
    )
    def test_the_start_is_the_earlier_of_deadline_and_request(self, requested, expected):
        assert rules.recheck_start(self.DUE, requested) == expected

    def test_a_request_without_a_deadline_starts_from_the_request(self):
        assert rules.recheck_start(None, D(2026, 4, 1)) == (rules.RECHECK_ON_REQUEST, D(2026, 4, 1))

    def test_the_plan_counts_the_recheck_from_the_request(self):
        events = rules.Events(
            submitted=D(2026, 3, 2),
            decided=D(2026, 3, 2),
            rectification_due=self.DUE,
            recheck_requested=D(2026, 4, 20),
        )
        plan = rules.clock_plan(path=PermitPath.COMMITMENT, status=S.RECTIFICATION, events=events)
        [recheck] = [c for c in plan.clocks if c.milestone == rules.M_RECHECK]
        assert (recheck.code, recheck.start, recheck.running) == (
            rules.RECHECK_ON_REQUEST,
            D(2026, 4, 20),
            True,
        )
        assert plan.next == rules.M_RECHECK

    @pytest.mark.parametrize("status", [S.RECTIFICATION, S.VERIFIED, S.REVOKED])
    def test_a_done_recheck_stops_its_clock_but_stays_on_record(self, status):
        events = rules.Events(
            submitted=D(2026, 3, 2),
            decided=D(2026, 3, 2),
            rectification_due=self.DUE,
            rechecked=D(2026, 5, 2),
        )
        plan = rules.clock_plan(path=PermitPath.COMMITMENT, status=status, events=events)
        [recheck] = [c for c in plan.clocks if c.milestone == rules.M_RECHECK]
        assert recheck.running is False

    def test_no_recheck_clock_without_an_order(self):
        events = rules.Events(submitted=D(2026, 3, 2), decided=D(2026, 3, 2))
        plan = rules.clock_plan(path=PermitPath.COMMITMENT, status=S.VERIFIED, events=events)
        milestones = [c.milestone for c in plan.clocks]
        # The decision's own clocks (verification, the document's service) but no re-check.
        assert milestones[:2] == [rules.M_DECISION, rules.M_VERIFICATION]
        assert rules.M_RECHECK not in milestones

    @pytest.mark.parametrize(
        ("status", "commitment", "requested", "rechecked", "expected"),
        [
            (S.RECTIFICATION, True, False, False, None),
            (S.RECTIFICATION, True, True, False, "already_requested"),
            (S.RECTIFICATION, True, False, True, "rechecked"),
            (S.RECTIFICATION, True, True, True, "rechecked"),
            (S.RECTIFICATION, False, False, False, "no_rectification"),
            (S.APPROVED, True, False, False, "no_rectification"),
            (S.VERIFIED, True, True, True, "no_rectification"),
            (S.REVOKED, True, False, True, "no_rectification"),
        ],
    )
    def test_who_may_ask(self, status, commitment, requested, rechecked, expected):
        assert (
            rules.recheck_request_refusal(
                status=status, is_commitment=commitment, requested=requested, rechecked=rechecked
            )
            == expected
        )


class TestRevocation:
    """Fire Law art. 58 para. 2: only an order not met, shown by a failed re-check."""

    DUE = D(2026, 4, 30)

    @pytest.mark.parametrize(
        ("status", "due", "today", "failed", "expected"),
        [
            (S.RECTIFICATION, D(2026, 4, 30), D(2026, 5, 1), 1, None),
            (S.RECTIFICATION, D(2026, 4, 30), D(2026, 5, 1), 2, None),
            (S.RECTIFICATION, D(2026, 4, 30), D(2026, 4, 30), 1, "deadline_not_passed"),
            (S.RECTIFICATION, D(2026, 4, 30), D(2026, 4, 29), 1, "deadline_not_passed"),
            (S.RECTIFICATION, D(2026, 4, 30), D(2026, 5, 1), 0, "no_failed_recheck"),
            (S.RECTIFICATION, None, D(2026, 5, 1), 1, "no_rectification"),
            (S.APPROVED, D(2026, 4, 30), D(2026, 5, 1), 1, "no_rectification"),
            (S.VERIFIED, D(2026, 4, 30), D(2026, 5, 1), 1, "no_rectification"),
        ],
    )
    def test_the_refusals(self, status, due, today, failed, expected):
        assert (
            rules.revocation_refusal(
                status=status, rectification_due=due, today=today, failed_rechecks=failed
            )
            == expected
        )


class TestMaterials:
    def test_commitment_needs_the_licence_uploaded_and_the_letter_signed_online(self):
        assert rules.REQUIRED_MATERIALS[PermitPath.COMMITMENT] == (
            MaterialKind.COMMITMENT_LETTER,
            MaterialKind.BUSINESS_LICENCE,
        )
        # The letter is signed in the wizard; that signature is the letter, not an upload.
        assert rules.missing_materials(PermitPath.COMMITMENT, []) == [MaterialKind.BUSINESS_LICENCE]
        assert rules.uploads_required(PermitPath.COMMITMENT) == (MaterialKind.BUSINESS_LICENCE,)

    def test_inspection_path_uploads_everything_it_needs(self):
        assert (
            rules.uploads_required(PermitPath.INSPECTION)
            == rules.REQUIRED_MATERIALS[PermitPath.INSPECTION]
        )

    @pytest.mark.parametrize(
        ("path", "offered", "not_offered"),
        [
            (
                PermitPath.COMMITMENT,
                [MaterialKind.BUSINESS_LICENCE, MaterialKind.FIRE_RULES, MaterialKind.OTHER],
                [MaterialKind.COMMITMENT_LETTER, MaterialKind.APPLICATION_FORM],
            ),
            (
                PermitPath.INSPECTION,
                [MaterialKind.APPLICATION_FORM, MaterialKind.FLOOR_PLANS, MaterialKind.OTHER],
                [MaterialKind.COMMITMENT_LETTER],
            ),
        ],
    )
    def test_the_upload_form_offers_only_the_paths_own_kinds(self, path, offered, not_offered):
        kinds = rules.upload_kinds(path)
        assert all(k in kinds for k in offered)
        assert not any(k in kinds for k in not_offered)

    @pytest.mark.parametrize(
        ("path", "present", "expected"),
        [
            (PermitPath.COMMITMENT, [], MaterialKind.BUSINESS_LICENCE),
            (PermitPath.COMMITMENT, [MaterialKind.BUSINESS_LICENCE], MaterialKind.OTHER),
            (PermitPath.INSPECTION, [], MaterialKind.APPLICATION_FORM),
            (PermitPath.INSPECTION, [MaterialKind.APPLICATION_FORM], MaterialKind.BUSINESS_LICENCE),
            (
                PermitPath.INSPECTION,
                [MaterialKind.APPLICATION_FORM, MaterialKind.FIRE_RULES],
                MaterialKind.BUSINESS_LICENCE,
            ),
            (
                PermitPath.INSPECTION,
                [
                    MaterialKind.APPLICATION_FORM,
                    MaterialKind.BUSINESS_LICENCE,
                    MaterialKind.FIRE_RULES,
                ],
                MaterialKind.FLOOR_PLANS,
            ),
            (PermitPath.INSPECTION, rules.REQUIRED_MATERIALS[PermitPath.INSPECTION], "other"),
        ],
    )
    def test_the_next_kind_proposed_is_the_first_still_missing(self, path, present, expected):
        assert rules.next_upload_kind(path, present) == expected

    def test_inspection_path_needs_four_materials(self):
        missing = rules.missing_materials(PermitPath.INSPECTION, [MaterialKind.FLOOR_PLANS])
        assert missing == [
            MaterialKind.APPLICATION_FORM,
            MaterialKind.BUSINESS_LICENCE,
            MaterialKind.FIRE_RULES,
        ]

    def test_nothing_missing_when_all_present_and_extras_are_ignored(self):
        present = [*rules.REQUIRED_MATERIALS[PermitPath.INSPECTION], MaterialKind.OTHER]
        assert rules.missing_materials(PermitPath.INSPECTION, present) == []


class TestServiceClock:
    """行政许可法 art. 44: the permit document is owed from the decision until served."""

    @staticmethod
    def service(path, status, **events):
        plan = rules.clock_plan(
            path=path, status=status, events=rules.Events(decided=D(2026, 3, 11), **events)
        )
        return [c for c in plan.clocks if c.milestone == rules.M_SERVICE]

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            (PermitPath.COMMITMENT, S.APPROVED),
            (PermitPath.COMMITMENT, S.VERIFIED),
            (PermitPath.COMMITMENT, S.RECTIFICATION),
            (PermitPath.INSPECTION, S.APPROVED),
        ],
    )
    def test_a_granted_permit_owes_its_document_from_the_decision(self, path, status):
        assert self.service(path, status) == [
            rules.PlannedClock(rules.M_SERVICE, rules.SERVICE, start=D(2026, 3, 11), running=True)
        ]
        served = self.service(path, status, served=D(2026, 3, 12))
        assert [c.running for c in served] == [False]  # met: its date stays on record

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            (PermitPath.COMMITMENT, S.SUBMITTED),
            (PermitPath.COMMITMENT, S.REVOKED),
            (PermitPath.INSPECTION, S.INSPECTED),
            (PermitPath.INSPECTION, S.REJECTED),
            (PermitPath.INSPECTION, S.WITHDRAWN),
        ],
    )
    def test_no_permit_no_document_owed(self, path, status):
        assert self.service(path, status) == []

    def test_the_service_date_is_never_the_next_step(self):
        plan = rules.clock_plan(
            path=PermitPath.INSPECTION,
            status=S.APPROVED,
            events=rules.Events(decided=D(2026, 3, 11)),
        )
        assert plan.next is None
        dues = rules.due_dates(
            path=PermitPath.INSPECTION, status=S.APPROVED, events=EVENTS, due=fake_due
        )
        assert dues.service_due == D(2026, 3, 21)
        assert dues.next_due is None


class TestDueDates:
    @pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.WITHDRAWN, S.NOT_ACCEPTED])
    @pytest.mark.parametrize("path", [PermitPath.COMMITMENT, PermitPath.INSPECTION])
    def test_no_clock_runs_while_the_applicant_holds_the_file(self, path, status):
        assert (
            rules.due_dates(path=path, status=status, events=EVENTS, due=fake_due)
            == rules.DueDates()
        )

    def test_commitment_submitted_owes_a_decision_next_day(self):
        dues = rules.due_dates(
            path=PermitPath.COMMITMENT, status=S.SUBMITTED, events=EVENTS, due=fake_due
        )
        assert dues.decision_due == D(2026, 3, 3)
        assert dues.next_due == dues.decision_due
        assert dues.accept_due is None
        assert dues.verification_due is None

    def test_commitment_approved_owes_a_verification_from_the_decision(self):
        dues = rules.due_dates(
            path=PermitPath.COMMITMENT, status=S.APPROVED, events=EVENTS, due=fake_due
        )
        assert dues.verification_due == D(2026, 3, 31)
        assert dues.next_due == dues.verification_due

    def test_rectification_owes_a_recheck_after_the_rectification_deadline(self):
        dues = rules.due_dates(
            path=PermitPath.COMMITMENT, status=S.RECTIFICATION, events=EVENTS, due=fake_due
        )
        assert dues.next_due == D(2026, 5, 3)

    @pytest.mark.parametrize("status", [S.VERIFIED, S.REVOKED])
    def test_closed_commitment_cases_owe_nothing(self, status):
        dues = rules.due_dates(
            path=PermitPath.COMMITMENT, status=status, events=EVENTS, due=fake_due
        )
        assert dues.next_due is None

    def test_inspection_path_submitted_owes_acceptance(self):
        dues = rules.due_dates(
            path=PermitPath.INSPECTION, status=S.SUBMITTED, events=EVENTS, due=fake_due
        )
        assert dues.next_due == dues.accept_due == D(2026, 3, 7)
        assert dues.inspection_due is None

    def test_inspection_path_accepted_owes_the_inspection_and_bounds_the_decision(self):
        events = rules.Events(submitted=D(2026, 3, 2), accepted=D(2026, 3, 4))
        dues = rules.due_dates(
            path=PermitPath.INSPECTION, status=S.ACCEPTED, events=events, due=fake_due
        )
        assert dues.inspection_due == D(2026, 3, 14)
        # the latest lawful decision: 3 days after the last lawful inspection day
        assert dues.decision_due == D(2026, 3, 17)
        assert dues.next_due == dues.inspection_due

    def test_inspection_path_inspected_owes_the_decision_from_the_inspection(self):
        dues = rules.due_dates(
            path=PermitPath.INSPECTION, status=S.INSPECTED, events=EVENTS, due=fake_due
        )
        assert dues.decision_due == D(2026, 3, 13)
        assert dues.next_due == dues.decision_due

    @pytest.mark.parametrize("status", [S.APPROVED, S.REJECTED])
    def test_decided_inspection_cases_owe_nothing(self, status):
        dues = rules.due_dates(
            path=PermitPath.INSPECTION, status=status, events=EVENTS, due=fake_due
        )
        assert dues.next_due is None

    def test_a_date_in_a_year_without_data_makes_the_whole_set_provisional(self):
        events = rules.Events(submitted=D(2026, 12, 1), decided=D(2026, 12, 20))
        dues = rules.due_dates(
            path=PermitPath.COMMITMENT, status=S.APPROVED, events=events, due=fake_due
        )
        assert dues.verification_due == D(2027, 1, 9)
        assert dues.provisional is True

    def test_missing_start_events_leave_the_date_empty_not_guessed(self):
        dues = rules.due_dates(
            path=PermitPath.INSPECTION, status=S.SUBMITTED, events=rules.Events(), due=fake_due
        )
        assert dues.accept_due is None
        assert dues.next_due is None


class TestDueState:
    @pytest.mark.parametrize(
        ("due", "today", "state"),
        [
            (None, D(2026, 3, 1), "none"),
            (D(2026, 3, 10), D(2026, 3, 1), "ok"),
            (D(2026, 3, 10), D(2026, 3, 8), "due_soon"),
            (D(2026, 3, 10), D(2026, 3, 10), "due_soon"),
            (D(2026, 3, 10), D(2026, 3, 11), "overdue"),
        ],
    )
    def test_states(self, due, today, state):
        assert rules.due_state(due, today) == state


TZ = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 12, 3, 9, 0, tzinfo=TZ)


class TestBookingRules:
    @pytest.mark.parametrize(
        ("now", "allowed"),
        [
            (START - dt.timedelta(hours=48), True),
            (START - dt.timedelta(hours=24), True),
            (START - dt.timedelta(hours=23, minutes=59), False),
            (START + dt.timedelta(hours=1), False),
        ],
    )
    def test_change_allowed_until_the_cutoff(self, now, allowed):
        assert rules.can_change_booking(starts_at=START, now=now, cutoff_hours=24) is allowed

    @pytest.mark.parametrize(
        ("now", "allowed"),
        [
            (START - dt.timedelta(seconds=1), True),
            (START, False),
            (START + dt.timedelta(minutes=1), False),
        ],
    )
    def test_booking_allowed_until_the_start(self, now, allowed):
        assert rules.can_book(starts_at=START, now=now) is allowed

    def test_reminder_is_the_day_before_at_nine(self):
        assert rules.reminder_due_at(START) == dt.datetime(2026, 12, 2, 9, 0, tzinfo=TZ)

    def test_reminder_across_a_month_and_year_boundary(self):
        start = dt.datetime(2027, 1, 1, 14, 30, tzinfo=TZ)
        assert rules.reminder_due_at(start) == dt.datetime(2026, 12, 31, 9, 0, tzinfo=TZ)

    @pytest.mark.parametrize(
        ("arrived", "punctual"),
        [
            (START - dt.timedelta(minutes=10), True),
            (START + dt.timedelta(minutes=15), True),
            (START + dt.timedelta(minutes=16), False),
        ],
    )
    def test_punctuality_has_a_small_grace(self, arrived, punctual):
        assert rules.is_punctual(starts_at=START, arrived_at=arrived, grace_minutes=15) is punctual


class TestUploads:
    @pytest.mark.parametrize(
        ("head", "expected"),
        [
            (b"%PDF-1.7\n", "application/pdf"),
            (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
            (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
            (b"MZ\x90\x00\x03\x00", None),  # a Windows executable renamed to .pdf
            (b"\x7fELF\x02\x01", None),
            (b"<html><script>", None),
            (b"GIF89a", None),
            (b"", None),
        ],
    )
    def test_content_decides_the_type_not_the_name(self, head, expected):
        assert rules.sniff_content_type(head) == expected

    @pytest.mark.parametrize(
        ("stem", "expected"),
        [
            ("营业执照", "营业执照.pdf"),
            ('../../etc/passwd"', "etcpasswd.pdf"),
            ("a\r\nb;c", "abc.pdf"),
            ("   ", "file.pdf"),
            ("x" * 200, "x" * 80 + ".pdf"),
        ],
    )
    def test_download_names_are_safe(self, stem, expected):
        assert rules.safe_download_name(stem, "application/pdf") == expected
