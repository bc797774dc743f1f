"""A cancelled activity (a worker shutting down, a timed-out attempt) runs to its end: Temporal
would otherwise raise inside its thread wherever it stands, a store transaction included."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path
from uuid import uuid4

from temporalio.testing import ActivityEnvironment

from domain.admission import AdmissionCase
from infra.bootstrap import build_app
from tests.builders import build_world, ctx, person_data
from tests.workflows.conftest import TEST_AUTHORITY
from tests.workflows.dissolution_stack import sqlite_settings
from tests.workflows.steps import SECRETARY
from workflows.activities import Activities
from workflows.messages import AdmissionStart


def cancel_once_running(environment: ActivityEnvironment) -> None:
    """Cancel as soon as the activity runs: Temporal raises wherever its thread stands."""
    while not environment._activities:  # the activities it runs (none yet)
        time.sleep(0.0001)
    environment.cancel()


def test_a_cancelled_activity_finishes_and_leaves_the_store_usable(tmp_path: Path) -> None:
    app = build_app(sqlite_settings(tmp_path))
    world = build_world(app)
    activities = Activities(app, lambda _: None, TEST_AUTHORITY)
    on = date(2029, 12, 3)
    opened = []
    for _ in range(5):
        person = app.register_person(ctx(), person_data(), on)
        start = TEST_AUTHORITY.signed(AdmissionStart(uuid4(), person, world.cell, on, SECRETARY))
        environment = ActivityEnvironment()  # a cancellation counts once per environment
        canceller = threading.Thread(target=cancel_once_running, args=(environment,))
        canceller.start()
        view = environment.run(activities.open_case, start)
        canceller.join()
        assert view.subject_id == start.case_id
        opened.append(start.case_id)

    # Every case is on record, and the store's pooled connections still read and write.
    assert [app.load(AdmissionCase, case_id).cell_id for case_id in opened] == [world.cell] * 5
    app.register_person(ctx(), person_data(), on)
