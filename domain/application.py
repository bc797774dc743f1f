"""The application: the record of organizations, people, cases, members and transfers, composed
of the service layer's processes (domain/services/) over one store, with its transcodings."""

from __future__ import annotations

from eventsourcing.persistence import JSONTranscoder

from domain.access_request import Requester
from domain.admission import ApplicantFacts
from domain.member import Exemption
from domain.organization import AdmissionTarget
from domain.person import PersonalData
from domain.services.access_requests import AccessRequests
from domain.services.admission import Admissions
from domain.services.audit import Audit
from domain.services.ballots import Ballots
from domain.services.deadlines import Deadlines
from domain.services.organizations import Organizations
from domain.services.papers import Papers
from domain.services.probation import Probations
from domain.services.store import NAMESPACE as NAMESPACE
from domain.services.store import Context as Context
from domain.services.store import HistoryEntry as HistoryEntry
from domain.services.store import OpenDeadline as OpenDeadline
from domain.services.transfers import Transfers
from domain.transcodings import register_values
from domain.transfer import Hop
from domain.values import Actor, Ballot, Introduction, Relative, Stamp


class Dangvien(
    Admissions,
    Probations,
    Transfers,
    Deadlines,
    Audit,
    Ballots,
    Papers,
    AccessRequests,  # issue 18, item 4: access requests
    Organizations,
):
    """The event-sourced record of organizations, people, cases, members and transfers."""

    name = "dangvien"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_values(
            transcoder,
            Actor,
            Stamp,
            Ballot,
            Introduction,
            Relative,
            PersonalData,
            AdmissionTarget,
            ApplicantFacts,
            Exemption,
            Hop,
            Requester,  # issue 18, item 4: who made an access request
        )
