"""Typed models, one module per aggregate."""
from cartel.models.edition import (
    Edition, EditionStatus, Participation, PointsScheme, ProgrammeEntry, ResultState,
)
from cartel.models.result import OfficialStanding, Placement, PlacementMember, PointAdjustment
from cartel.models.school import PriorTitleCount, School
from cartel.models.sport import Category, Discipline, Sport

__all__ = [
    "Category", "Discipline", "Edition", "EditionStatus", "OfficialStanding", "Participation",
    "Placement", "PlacementMember", "PointAdjustment", "PointsScheme", "PriorTitleCount",
    "ProgrammeEntry", "ResultState", "School", "Sport",
]
