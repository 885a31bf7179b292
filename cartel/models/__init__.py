"""Typed models, one module per aggregate."""

from cartel.models.audit import AuditEntry, ProcessedSubmission
from cartel.models.edition import (
    Edition,
    EditionStatus,
    Participation,
    PointsScheme,
    ProgrammeEntry,
    ResultState,
)
from cartel.models.result import OfficialStanding, Placement, PlacementMember, PointAdjustment
from cartel.models.revision import HistoryRevision
from cartel.models.school import PriorTitleCount, School
from cartel.models.sport import Category, Discipline, Sport
from cartel.models.tournament import EmbedOrigin, Match, MatchState, TieDecision, Tournament, Venue
from cartel.models.user import EntryLink, LoginThrottle, Role, User

__all__ = [
    "AuditEntry",
    "EmbedOrigin",
    "EntryLink",
    "LoginThrottle",
    "ProcessedSubmission",
    "Role",
    "User",
    "Category",
    "Discipline",
    "Edition",
    "EditionStatus",
    "HistoryRevision",
    "Match",
    "MatchState",
    "OfficialStanding",
    "Participation",
    "Placement",
    "PlacementMember",
    "PointAdjustment",
    "PointsScheme",
    "PriorTitleCount",
    "ProgrammeEntry",
    "ResultState",
    "School",
    "Sport",
    "TieDecision",
    "Tournament",
    "Venue",
]
