"""The v1 API over real HTTP (the live test server), with the keys of two organisations."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from api.models import ApiKey, IdempotentResponse
from core.models import AuditEvent
from core.permissions import AUDIT_VIEW, MEMBERS_INVITE, MEMBERS_MANAGE, TEAMS_MANAGE
from tenants.models import Membership, Role, Team
from tests.api.conftest import World, make_key
from uploads.models import Upload

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# --- Who may call -----------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic dXNlcjpwYXNz", "Bearer ", "Bearer pt_live_nope", "Bearer " + "x" * 60],
)
def test_a_request_without_a_valid_key_gets_401_problem(
    world: World, live_server: Any, authorization: str | None
) -> None:
    import requests

    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{live_server.url}/api/v1/members", headers=headers, timeout=10)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_for_a_real_key_id_gets_401(world: World, api_as: Any) -> None:
    forged = world.acme.key[:-4] + ("AAAA" if not world.acme.key.endswith("AAAA") else "BBBB")
    assert_problem(api_as(forged).get("/members"), 401)


def test_revoked_and_expired_keys_get_401(world: World, api_as: Any) -> None:
    revoked = make_key(world.acme.tenant, world.acme.owner, [], name="Old")
    expiring = make_key(
        world.acme.tenant,
        world.acme.owner,
        [],
        name="Short",
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert api_as(revoked).get("/members").status_code == 200
    assert api_as(expiring).get("/members").status_code == 200
    ApiKey.objects.filter(name="Old").update(revoked_at=timezone.now())
    ApiKey.objects.filter(name="Short").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert "revoked" in assert_problem(api_as(revoked).get("/members"), 401)["detail"]
    assert "expired" in assert_problem(api_as(expiring).get("/members"), 401)["detail"]


def test_a_session_cookie_is_no_key(world: World, live_server: Any, client: Any) -> None:
    """A signed-in browser cannot use the API on a person's behalf (no CSRF surface)."""
    import requests

    client.force_login(world.acme.owner)
    cookie = client.cookies
    response = requests.get(
        f"{live_server.url}/api/v1/members",
        cookies={name: morsel.value for name, morsel in cookie.items()},
        timeout=10,
    )
    assert_problem(response, 401)


# --- Tenant isolation ---------------------------------------------------------------


def _cross_tenant_requests(
    other: dict[str, int], own: dict[str, int]
) -> list[tuple[str, str, Any]]:
    """Every operation that names an object, given the other organisation's ids (in the
    path, or in the body next to this organisation's own)."""
    return [
        ("GET", f"/members/{other['member_id']}", None),
        ("POST", f"/members/{other['member_id']}/role", {"role_id": own["role_id"]}),
        ("POST", f"/members/{own['member_id']}/role", {"role_id": other["role_id"]}),
        ("POST", f"/members/{other['member_id']}/remove", None),
        ("POST", "/invitations", {"email": "x@example.com", "role_id": other["role_id"]}),
        (
            "POST",
            "/invitations",
            {"email": "y@example.com", "role_id": own["role_id"], "team_ids": [other["team_id"]]},
        ),
        ("POST", f"/invitations/{other['invitation_id']}/resend", None),
        ("POST", f"/invitations/{other['invitation_id']}/cancel", None),
        ("GET", f"/teams/{other['team_id']}", None),
        ("POST", "/teams", {"name": "Sneaky", "parent_id": other["team_id"]}),
        ("POST", f"/teams/{other['team_id']}/delete", None),
        ("GET", f"/teams/{other['team_id']}/members", None),
        ("POST", f"/teams/{other['team_id']}/members", {"member_id": own["member_id"]}),
        ("POST", f"/teams/{own['team_id']}/members", {"member_id": other["member_id"]}),
        ("POST", f"/teams/{other['team_id']}/members/{own['member_id']}/remove", None),
        ("POST", f"/teams/{own['team_id']}/members/{other['member_id']}/remove", None),
        ("GET", f"/files/{other['file_id']}", None),
        ("GET", f"/files/{other['file_id']}/content", None),
        ("POST", f"/files/{other['file_id']}/delete", None),
    ]


def test_every_operation_refuses_the_other_organisations_ids_with_404(
    world: World, api_as: Any
) -> None:
    api = api_as(world.acme.key)
    answers = {}
    for method, path, body in _cross_tenant_requests(world.globex.ids(), world.acme.ids()):
        response = api.get(path) if method == "GET" else api.post(path, json=body)
        answers[f"{method} {path} {body}"] = (
            response.status_code,
            response.headers["Content-Type"],
        )
    assert {k: v for k, v in answers.items() if v != (404, PROBLEM)} == {}
    globex = world.globex
    assert Membership.objects.filter(pk=globex.member.pk, role__key="member").exists()
    assert Team.objects.filter(pk=globex.team.pk).exists()
    assert not Team.objects.filter(name="Sneaky").exists()
    globex.invitation.refresh_from_db()
    assert globex.invitation.status == "pending"


def test_lists_hold_only_the_keys_organisation(world: World, api_as: Any) -> None:
    api = api_as(world.acme.key)
    emails = {m["user"]["email"] for m in api.get("/members").json()["data"]}
    assert world.acme.owner.email in emails and world.globex.owner.email not in emails
    assert {t["name"] for t in api.get("/teams").json()["data"]} == {"Acme team"}
    assert [f["id"] for f in api.get("/files").json()["data"]] == [world.acme.file.pk]
    assert api.get("/organisation").json()["name"] == "Acme"
    events = api.get("/audit-events").json()["data"]
    assert events and all("globex" not in e["target_label"].lower() for e in events)


# --- Scopes and the tenancy rules --------------------------------------------------------


def test_a_key_without_the_scope_gets_403(world: World, api_as: Any) -> None:
    reader = api_as(make_key(world.acme.tenant, world.acme.owner, [], name="Reader"))
    assert reader.get("/members").status_code == 200
    assert reader.get(f"/files/{world.acme.file.pk}/content").content.startswith(b"hello")
    for path, body in [
        ("/teams", {"name": "New"}),
        (f"/members/{world.acme.member.pk}/remove", None),
        ("/invitations", {"email": "a@example.com", "role_id": world.acme.role.pk}),
        (f"/files/{world.acme.file.pk}/delete", None),
    ]:
        assert_problem(reader.post(path, json=body), 403)
    assert_problem(reader.get("/audit-events"), 403)
    assert Membership.objects.filter(pk=world.acme.member.pk).exists()


def test_a_key_never_reaches_an_owner_or_grants_beyond_its_scopes(
    world: World, api_as: Any
) -> None:
    manager = api_as(
        make_key(world.acme.tenant, world.acme.owner, [MEMBERS_MANAGE], name="Manager")
    )
    owner_membership = Membership.objects.get(tenant=world.acme.tenant, user=world.acme.owner)
    admin = Role.objects.get(tenant=world.acme.tenant, key="admin")
    assert_problem(manager.post(f"/members/{owner_membership.pk}/remove"), 403)
    body = {"role_id": admin.pk}
    assert_problem(manager.post(f"/members/{world.acme.member.pk}/role", json=body), 403)
    helpers = {"role_id": world.acme.role.pk}
    changed = manager.post(f"/members/{world.acme.member.pk}/role", json=helpers)
    assert changed.status_code == 200 and changed.json()["role"]["name"] == "Acme helpers"


def test_the_services_refusals_come_back_as_problems(world: World, api_as: Any) -> None:
    api = api_as(world.acme.key)
    join = {"member_id": world.acme.member.pk}
    assert api.post(f"/teams/{world.acme.team.pk}/members", json=join).status_code == 204
    again = api.post(f"/teams/{world.acme.team.pk}/members", json=join)
    assert "already in" in assert_problem(again, 409)["detail"]
    assert (
        "already exists"
        in assert_problem(api.post("/teams", json={"name": "Acme team"}), 422)["detail"]
    )
    invalid = assert_problem(api.post("/teams", json={"nom": "x"}), 422)
    assert invalid["errors"]
    assert_problem(api.get("/members?cursor=not-ours"), 400)


BEYOND_A_KEY = 10**25  # more than a database key (bigint) holds


@pytest.mark.parametrize("path", ["/members", "/teams", "/invitations", "/files", "/audit-events"])
def test_a_cursor_beyond_any_database_key_is_a_bad_cursor(
    world: World, api_as: Any, path: str
) -> None:
    """The members list answered 500 (OverflowError in its query) to a forged cursor."""
    cursor = base64.urlsafe_b64encode(f"v1:{BEYOND_A_KEY}".encode()).decode().rstrip("=")
    api = api_as(world.acme.key)

    assert_problem(api.get(f"{path}?cursor={cursor}"), 400)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/invitations", {"email": "y@example.com", "role_id": 1, "team_ids": [BEYOND_A_KEY]},
         ["body", "team_ids", "0"]),
        ("/invitations", {"email": "y@example.com", "role_id": BEYOND_A_KEY},
         ["body", "role_id"]),
        ("/teams", {"name": "Night", "parent_id": BEYOND_A_KEY}, ["body", "parent_id"]),
    ],
)  # fmt: skip
def test_an_id_beyond_any_database_key_is_an_invalid_field_not_a_500(
    world: World, api_as: Any, path: str, body: dict[str, Any], field: list[str]
) -> None:
    invalid = assert_problem(api_as(world.acme.key).post(path, json=body), 422)

    assert [error["loc"] for error in invalid["errors"]] == [field]


def test_a_member_or_role_id_beyond_any_database_key_is_an_invalid_field(
    world: World, api_as: Any
) -> None:
    api = api_as(world.acme.key)
    member = f"/members/{world.acme.member.pk}/role"

    assert_problem(api.post(member, json={"role_id": BEYOND_A_KEY}), 422)
    team = f"/teams/{world.acme.team.pk}/members"
    assert_problem(api.post(team, json={"member_id": BEYOND_A_KEY}), 422)


# --- Changes, attributed to the key ------------------------------------------------------


def test_changes_are_audited_as_the_key(world: World, api_as: Any) -> None:
    api = api_as(
        make_key(world.acme.tenant, world.acme.owner, [TEAMS_MANAGE, AUDIT_VIEW], name="Zapier")
    )
    created = api.post("/teams", json={"name": "Night shift"})
    assert created.status_code == 201
    event = AuditEvent.objects.get(
        tenant=world.acme.tenant, action="team.created", target_label="Night shift"
    )
    assert event.actor is None and event.actor_label == "API key Zapier"
    listed = api.get("/audit-events", params={"actor": "API key Zapier"}).json()["data"]
    assert [e["action"] for e in listed] == ["team.created"]
    assert listed[0]["actor"] == "API key Zapier"
    assert (
        api.get(
            "/audit-events", params={"action": "team.created", "until": "2000-01-01T00:00:00Z"}
        ).json()["data"]
        == []
    )


def test_the_audit_page_names_the_key_in_the_readers_language(
    world: World, api_as: Any, client: Any
) -> None:
    """Stored as "API key Zapier" (the API's filter reads it); a German owner read that
    English on the audit page."""
    api = api_as(make_key(world.acme.tenant, world.acme.owner, [TEAMS_MANAGE], name="Zapier"))
    assert api.post("/teams", json={"name": "Night shift"}).status_code == 201
    owner = world.acme.owner
    owner.language = "de"
    owner.save(update_fields=["language"])
    client.force_login(owner)

    html = client.get(f"/t/{world.acme.tenant.slug}/audit/").content.decode()

    assert '<span class="badge badge-blue">API-Schlüssel Zapier</span>' in html
    assert "API key Zapier" not in html


def test_an_invitation_goes_out_in_the_name_of_the_keys_creator(
    world: World, api_as: Any, mailoutbox: list[Any]
) -> None:
    api = api_as(make_key(world.acme.tenant, world.acme.owner, [MEMBERS_INVITE], name="HR"))
    body = {
        "email": "newhire@example.com",
        "role_id": world.acme.role.pk,
        "team_ids": [world.acme.team.pk],
    }
    response = api.post("/invitations", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    event = AuditEvent.objects.get(
        tenant=world.acme.tenant, action="member.invited", target_label="newhire@example.com"
    )
    assert event.actor == world.acme.owner and event.actor_label == "API key HR"
    assert any("newhire@example.com" in m.to for m in mailoutbox)


def test_files_upload_download_and_delete(world: World, api_as: Any) -> None:
    api = api_as(world.acme.key)
    uploaded = api.post(
        "/files", files={"file": ("report.txt", b"quarterly numbers", "text/plain")}
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id = uploaded.json()["id"]
    content = api.get(f"/files/{file_id}/content")
    assert content.content == b"quarterly numbers"
    assert "attachment" in content.headers["Content-Disposition"]
    assert api.post(f"/files/{file_id}/delete").status_code == 204
    assert_problem(api.get(f"/files/{file_id}"), 404)
    refused = api.post(
        "/files", files={"file": ("run.exe", b"MZ\x90\x00", "application/octet-stream")}
    )
    assert_problem(refused, 422)


def test_lists_are_cursor_paginated(world: World, api_as: Any) -> None:
    api = api_as(world.acme.key)
    for i in range(4):
        assert api.post("/teams", json={"name": f"Team {i}"}).status_code == 201
    seen, cursor = [], None
    while True:
        page = api.get(
            "/teams", params={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [t["name"] for t in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Acme team", "Team 0", "Team 1", "Team 2", "Team 3"]


# --- Idempotency and rate limits ---------------------------------------------------------


def test_a_repeated_idempotency_key_returns_the_first_response(world: World, api_as: Any) -> None:
    api = api_as(world.acme.key)
    headers = {"Idempotency-Key": "create-ops-team-1"}
    first = api.post("/teams", json={"name": "Ops"}, headers=headers)
    again = api.post("/teams", json={"name": "Ops"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Team.objects.filter(tenant=world.acme.tenant, name="Ops").count() == 1
    reused = api.post("/teams", json={"name": "Other"}, headers=headers)
    assert_problem(reused, 422)
    other_key = api_as(world.globex.key).post("/teams", json={"name": "Ops"}, headers=headers)
    assert other_key.status_code == 201  # idempotency keys are per API key
    # Each stored answer sits with its key's organisation (Citus co-location).
    stored = IdempotentResponse.objects.filter(idempotency_key="create-ops-team-1")
    assert sorted(stored.values_list("tenant_id", "api_key__tenant_id")) == sorted(
        [(world.acme.tenant.pk,) * 2, (world.globex.tenant.pk,) * 2]
    )


def test_a_claim_whose_worker_died_is_taken_over_after_a_minute_not_held_for_a_day(
    world: World, api_as: Any
) -> None:
    """The review found a key held at 409 for 24 hours once the worker serving its first
    request was killed (gunicorn's timeout, a deploy): no code ran to free the claim."""
    api = api_as(world.acme.key)
    headers = {"Idempotency-Key": "create-ops-team-2"}
    assert api.post("/teams", json={"name": "Ops"}, headers=headers).status_code == 201
    # What a killed worker leaves: the claim, no answer, no team.
    Team.objects.filter(tenant=world.acme.tenant, name="Ops").delete()
    claim = IdempotentResponse.objects.filter(idempotency_key="create-ops-team-2")
    claim.update(status=0, body=b"", content_type="")

    running = api.post("/teams", json={"name": "Ops"}, headers=headers)
    claim.update(created_at=timezone.now() - timedelta(seconds=61))
    retried = api.post("/teams", json={"name": "Ops"}, headers=headers)
    again = api.post("/teams", json={"name": "Ops"}, headers=headers)

    assert assert_problem(running, 409)["type"].endswith("idempotency-in-progress")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Team.objects.filter(tenant=world.acme.tenant, name="Ops").count() == 1


def test_a_repeated_idempotency_key_with_another_file_of_the_same_size_is_refused(
    world: World, api_as: Any
) -> None:
    """Only the body's size stood for a multipart upload: a second, different file of
    the same size was answered 201 "Idempotent-Replayed" with the first file's record,
    and never stored."""
    api = api_as(world.acme.key)
    headers = {"Idempotency-Key": "upload-1"}

    a, b = ("a.txt", b"AAAAAAAAAA", "text/plain"), ("b.txt", b"BBBBBBBBBB", "text/plain")
    first = api.post("/files", files={"file": a}, headers=headers)
    same = api.post("/files", files={"file": a}, headers=headers)
    other = api.post("/files", files={"file": b}, headers=headers)

    assert first.status_code == same.status_code == 201, first.text
    assert same.headers["Idempotent-Replayed"] == "true" and same.json() == first.json()
    assert assert_problem(other, 422)["type"].endswith("idempotency-key-reused")
    stored = Upload.objects.filter(
        tenant=world.acme.tenant, original_filename__in=["a.txt", "b.txt"]
    )
    assert list(stored.values_list("original_filename", flat=True)) == ["a.txt"]


def test_each_key_has_its_own_rate_limit_with_headers(
    world: World, api_as: Any, settings: Any
) -> None:
    settings.RATELIMIT_TIERS = {
        **settings.RATELIMIT_TIERS,
        "api": {"rate": "3/15m", "when_unavailable": "fail_open"},
    }
    api = api_as(world.acme.key)
    answers = [api.get("/organisation") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert [r.headers["X-RateLimit-Remaining"] for r in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["X-RateLimit-Limit"] == "3"
    assert "Retry-After" in answers[3].headers
    assert_problem(answers[3], 429)
    assert api_as(world.globex.key).get("/organisation").status_code == 200


def test_the_plan_sets_the_api_rate(world: World, api_as: Any, settings: Any) -> None:
    plans = {**settings.BILLING_PLANS}
    plans["free"] = {**plans["free"], "api_rate": "7/1m"}
    settings.BILLING_PLANS = plans
    assert api_as(world.acme.key).get("/organisation").headers["X-RateLimit-Limit"] == "7"


def test_cors_is_off(world: World, api_as: Any) -> None:
    response = api_as(world.acme.key).get("/members", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
