"""What the API sends and accepts (pydantic models; the OpenAPI schema comes from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import BaseModel, Field

from core.ids import MAX_ID

# An id the API accepts: what a database key can hold. A larger number in a body was a
# 500 (OverflowError converting it for the query) instead of a 422 naming the field.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class Answer(BaseModel):
    """What the API sends. Routes build answers from plain dicts (the `*_out` functions,
    `api.selectors.member_rows`), so these are plain pydantic models: ninja's `Schema`
    wraps every object it validates in a getter that reads ORM attributes, which made
    validating a page of 40 members 13x slower (0.79 against 0.06 ms,
    docs/performance.md). What the API accepts stays a `Schema`."""


class InvalidField(Answer):
    """One reason a request is invalid (422)."""

    loc: list[str] = Field(
        description="Where it was sent (body, query, path, or file for an upload), then the "
        'field\'s path: ["body", "team_ids", "1"]; ["body"] alone when the body is missing'
    )
    msg: str


class Problem(Answer):
    """RFC 9457 problem details (sent as application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[InvalidField] | None = None


class Organisation(Answer):
    id: int
    name: str
    slug: str
    plan: str
    created_at: datetime


class Person(Answer):
    id: int
    email: str
    name: str


class RoleOut(Answer):
    id: int
    name: str
    key: str = Field(description="owner, admin, billing_admin, member; empty for custom roles")
    permissions: list[str]


class RoleRef(Answer):
    id: int
    name: str


class Member(Answer):
    id: int = Field(description="The membership id (not the person's)")
    user: Person
    role: RoleRef
    is_primary_contact: bool
    is_billing_contact: bool
    joined_at: datetime


def member_answer(
    *,
    membership_id: int,
    user_id: int,
    email: str,
    name: str,
    role_id: int,
    role_name: str,
    is_primary_contact: bool,
    is_billing_contact: bool,
    joined_at: datetime,
) -> dict[str, Any]:
    """A `Member` as the routes send it: built from an ORM row (`member_out`) or from
    plain values (`api.selectors.member_rows`), in this one shape."""
    return {
        "id": membership_id,
        "user": {"id": user_id, "email": email, "name": name},
        "role": {"id": role_id, "name": role_name},
        "is_primary_contact": is_primary_contact,
        "is_billing_contact": is_billing_contact,
        "joined_at": joined_at,
    }


class MemberPage(Answer):
    data: list[Member]
    next_cursor: str | None


class RoleChange(Schema):
    role_id: Id


class InvitationIn(Schema):
    email: str = Field(max_length=254)
    role_id: Id
    team_ids: list[Id] = Field(default_factory=list)


class Invitation(Answer):
    id: int
    email: str
    role: RoleRef
    status: str = Field(description="pending, expired, accepted, cancelled or declined")
    sent_at: datetime
    expires_at: datetime


class InvitationPage(Answer):
    data: list[Invitation]
    next_cursor: str | None


class TeamIn(Schema):
    name: str = Field(max_length=100)
    parent_id: Id | None = None


class Team(Answer):
    id: int
    name: str
    parent_id: int | None
    created_at: datetime


class TeamPage(Answer):
    data: list[Team]
    next_cursor: str | None


class TeamMemberIn(Schema):
    member_id: Id


class RoleList(Answer):
    data: list[RoleOut]


class File(Answer):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class FilePage(Answer):
    data: list[File]
    next_cursor: str | None


class AuditEvent(Answer):
    id: int
    action: str
    actor: str = Field(description="The person's email, the API key, or empty for the system")
    actor_ip: str | None
    target_type: str
    target_id: str
    target_label: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class AuditEventPage(Answer):
    data: list[AuditEvent]
    next_cursor: str | None
