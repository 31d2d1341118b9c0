"""Two people moving teams into each other at the same moment (A under B, B under A)
cannot make a cycle: the second move waits for the first and is then refused, where
both used to pass their check and commit, hiding both teams from the tree. Needs
PostgreSQL (real concurrent connections); SQLite serialises writers anyway."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction

from tenants.exceptions import TeamCycleError
from tenants.models import Team
from tenants.services import team_update
from tests.tenants.factories import OrgFactory, make_team

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent connections need PostgreSQL"
)


def test_crossed_moves_at_the_same_moment_leave_no_cycle(transactional_db: None) -> None:
    org = OrgFactory(name="Acme")
    a, b = make_team(org, "A"), make_team(org, "B")
    first_moved = threading.Event()
    outcome: dict[str, Any] = {}

    def move(team_id: int, parent_id: int, *, first: bool) -> None:
        try:
            team, parent = Team.objects.get(pk=team_id), Team.objects.get(pk=parent_id)
            with transaction.atomic():
                team_update(tenant=org, team=team, name=team.name, parent=parent, acting_user=None)
                if first:  # moved, not yet committed: the other move starts now
                    first_moved.set()
                    time.sleep(0.5)
            outcome[team.name] = "moved"
        except TeamCycleError:
            outcome[team.name] = "refused"
        except BaseException as error:  # reported by the main thread
            outcome[str(team_id)] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=move, args=(a.pk, b.pk), kwargs={"first": True})
    first.start()
    assert first_moved.wait(10)
    second = threading.Thread(target=move, args=(b.pk, a.pk), kwargs={"first": False})
    second.start()
    first.join()
    second.join()

    assert outcome == {"A": "moved", "B": "refused"}
    parents = dict(Team.objects.filter(tenant=org).values_list("name", "parent__name"))
    assert parents == {"A": "B", "B": None}
