"""Our rows as SCIM resources and back, with scim2-models (RFC 7643 schemas).

scim2-models validates and serialises the resources, parses filters and applies
PATCH operations (including Entra ID's `"op": "Replace"` with `"value": "False"`);
this module only maps its `User` and `Group` to memberships and teams.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    Meta,
    Name,
    Required,
    ResourceType,
    ScimPolicy,
    ServiceProviderConfig,
    User,
)
from scim2_models.resources.service_provider_config import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ETag,
    Filter,
    Patch,
    Sort,
)

from scim.models import ScimGroup, ScimUser
from scim.services import UserFields

# Most resources one list answer carries (`count` above it is lowered to it).
MAX_RESULTS = 200


class RequiredEmail(Email):
    """An address entry must carry the address."""

    value: Annotated[str | None, Required.true] = None


class ScimUserResource(User[EnterpriseUser]):
    """The User we serve: the core schema with the enterprise extension Entra ID sends
    (its attributes are accepted, not kept), and `emails` required, as /Schemas says:
    every Pacetrack account has a sign-in address."""

    # A narrower item type than User's list[Email]: pydantic validates the override.
    emails: Annotated[list[RequiredEmail] | None, Required.true] = None  # type: ignore[assignment]


# What we tolerate from IdPs (a tolerant reader, on purpose): attributes and schema URNs
# we do not define are ignored (Okta sends `password`, Entra ID a Microsoft group
# schema), and a PATCH "remove" may carry the values to remove (Entra ID's way to
# take members out of a group).
IDP_POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
)


def user_resource(scim_user: ScimUser, *, base_url: str) -> Any:
    membership = scim_user.membership
    emails = [RequiredEmail.model_validate(e) for e in scim_user.emails] or [
        RequiredEmail(value=membership.user.email, primary=True, type=Email.Type.work)
    ]
    name = None
    if scim_user.given_name or scim_user.family_name:
        name = Name(
            given_name=scim_user.given_name or None, family_name=scim_user.family_name or None
        )
    return ScimUserResource(
        id=str(scim_user.scim_id),
        external_id=scim_user.external_id or None,
        user_name=scim_user.user_name,
        name=name,
        display_name=scim_user.display_name or None,
        active=membership.suspended_at is None,
        emails=emails,
        meta=Meta(
            resource_type="User",
            created=scim_user.created_at,
            last_modified=scim_user.updated_at,
            location=f"{base_url}/Users/{scim_user.scim_id}",
        ),
    )


def user_fields(resource: User[Any]) -> UserFields:
    """What a User resource says."""
    emails = tuple(
        {
            k: v
            for k, v in (("value", e.value), ("type", _text(e.type)), ("primary", e.primary))
            if v is not None
        }
        for e in resource.emails or []
    )
    name = resource.name
    return UserFields(
        user_name=resource.user_name or "",
        emails=emails,
        external_id=resource.external_id or "",
        given_name=(name.given_name if name else None) or "",
        family_name=(name.family_name if name else None) or "",
        display_name=resource.display_name or "",
        active=resource.active is not False,
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def group_resource(group: ScimGroup, *, base_url: str, members: list[ScimUser]) -> Group:
    team = group.team
    return Group(
        id=str(group.scim_id),
        external_id=group.external_id or None,
        display_name=team.name,
        members=[
            GroupMember.model_validate(
                {"value": str(m.scim_id), "$ref": f"{base_url}/Users/{m.scim_id}"}
            )
            for m in members
        ]
        or None,
        meta=Meta(
            resource_type="Group",
            created=group.created_at,
            last_modified=group.updated_at,
            location=f"{base_url}/Groups/{group.scim_id}",
        ),
    )


def group_member_ids(resource: Group) -> list[str]:
    return [m.value for m in resource.members or [] if m.value]


def service_provider_config(*, base_url: str, docs_url: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=cast(Any, docs_url),  # validated into a Reference
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="The organisation's SCIM token, from its SCIM settings page.",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig", location=f"{base_url}/ServiceProviderConfig"
        ),
    )


# What /Schemas publishes: only the attributes (and sub-attributes) this service keeps
# and returns as it was sent. An IdP or a checker that writes one of the others would
# see it dropped; these are what it can rely on. `active` is always returned.
PUBLISHED_USER = {
    "userName": None,
    "name": {"givenName", "familyName"},
    "displayName": None,
    "active": None,
    "emails": {"value", "type", "primary"},
}
PUBLISHED_GROUP = {"displayName": None, "members": {"value", "$ref"}}
ALWAYS_PRESENT = {"active"}


def _published(schema: Any, keep: dict[str, set[str] | None]) -> Any:
    attributes = []
    for attribute in schema.attributes or []:
        if attribute.name not in keep:
            continue
        subs = keep[attribute.name]
        if subs is not None and attribute.sub_attributes:
            attribute.sub_attributes = [a for a in attribute.sub_attributes if a.name in subs]
        if attribute.name in ALWAYS_PRESENT:
            attribute.required = Required.true
        attributes.append(attribute)
    schema.attributes = attributes
    return schema


def resource_types(*, base_url: str) -> list[ResourceType]:
    types = [ResourceType.from_resource(ScimUserResource), ResourceType.from_resource(Group)]
    for rt in types:
        # The enterprise extension is accepted, not kept: not announced.
        rt.schema_extensions = None
        rt.meta = Meta(resource_type="ResourceType", location=f"{base_url}/ResourceTypes/{rt.id}")
    return types


def schemas(*, base_url: str) -> list[Any]:
    found = [
        _published(ScimUserResource.to_schema(), PUBLISHED_USER),
        _published(Group.to_schema(), PUBLISHED_GROUP),
    ]
    for schema in found:
        schema.meta = Meta(resource_type="Schema", location=f"{base_url}/Schemas/{schema.id}")
    return found
