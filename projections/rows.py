"""What the rows read of the log: the events no row reads are named here (the projector
leaves them in the store undecoded); the rows themselves are built by projections.views."""

from __future__ import annotations

from projections.views.people import BREAKDOWNS

__all__ = ["BREAKDOWNS", "UNREAD"]

# Events that change nothing a row reads, nor anything a later event's `apply` reads: the
# projector leaves them in the store undecoded (projections.log.read_window). An event not
# named here is read, so a new kind of event is projected until someone says otherwise; the
# tests project a whole generated province with and without this list and compare.
UNREAD = frozenset(
    {
        # a person counts only through the breakdown flags of their data
        "domain.person:Person.CaseOpened",
        "domain.person:Person.CaseClosed",
        "domain.person:Person.MembershipRecorded",
        "domain.person:Person.Departed",
        # the roll is read from the members' rows, not from the organization's record of it
        "domain.organization:Organization.MemberEnrolled",
        "domain.organization:Organization.MemberReleased",
        # the record behind a step: the letters sent, each comment, the exempted side, the
        # yearly residence comments, the new-member course, the helper; the steps themselves
        # (results returned, background certified, comments summarized) are read
        "domain.admission:AdmissionCase.VerificationRequested",
        "domain.admission:AdmissionCase.CommentRecorded",
        "domain.admission:AdmissionCase.FamilySideExempted",
        "domain.member:Member.ResidenceCommented",
        "domain.member:Member.NewMemberCourseCompleted",
        "domain.member:Member.HelperAssigned",
        # what the recognition vote needs (the vote itself is read)
        "domain.member:Member.RecognitionPaperFiled",
        # Rare events (an exemption, an expungement, the old stores' LeftParty) are read: the
        # generated province has none of them, so the comparison could not vouch for them.
    }
)
