"""Every database read and write of the rating domain, in one place.

The rest of ``ratings`` works on domain objects (``Rating``, ``GradeEvent``, ``Change``,
``MeetingPattern``); only this package knows the ORM rows (``ratings.models``) and maps
them to and from those objects: ``reads`` (the loaded state and the in-memory dataset),
``history`` (grade events and the change log) and ``writes`` (a load, in its
transaction).
"""

from __future__ import annotations

from ratings.repository.history import cause_of_reason, grade_event, read_change_log
from ratings.repository.reads import (
    dataset_from_database,
    read_levels,
    read_loaded_state,
    read_version,
)
from ratings.repository.writes import (
    LOAD_LOCK_KEY,
    load_transaction,
    write_dataset_version,
    write_load,
)

__all__ = [
    "LOAD_LOCK_KEY",
    "cause_of_reason",
    "dataset_from_database",
    "grade_event",
    "load_transaction",
    "read_change_log",
    "read_levels",
    "read_loaded_state",
    "read_version",
    "write_dataset_version",
    "write_load",
]
