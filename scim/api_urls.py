"""SCIM endpoints under /scim/v2/<org_slug>/, without trailing slashes as IdPs call them
(`{base}/Users/{id}`). The organisation comes from the URL and must match the token."""

from django.urls import path

from scim import api

app_name = "scim-api"

urlpatterns = [
    path(
        "ServiceProviderConfig",
        api.scim_endpoint(GET=api.service_provider_config),
        name="service-provider-config",
    ),
    path("ResourceTypes", api.scim_endpoint(GET=api.resource_type_list), name="resource-types"),
    path(
        "ResourceTypes/<str:type_id>",
        api.scim_endpoint(GET=api.resource_type_get),
        name="resource-type",
    ),
    path("Schemas", api.scim_endpoint(GET=api.schema_list), name="schemas"),
    path("Schemas/<str:schema_id>", api.scim_endpoint(GET=api.schema_get), name="schema"),
    path(
        "Users",
        api.scim_endpoint(GET=api.user_list, POST=api.user_create),
        name="users",
    ),
    path("Users/.search", api.scim_endpoint(POST=api.user_search), name="users-search"),
    path(
        "Users/<str:scim_id>",
        api.scim_endpoint(
            GET=api.user_get, PUT=api.user_replace, PATCH=api.user_patch, DELETE=api.user_delete
        ),
        name="user",
    ),
    path(
        "Groups",
        api.scim_endpoint(GET=api.group_list, POST=api.group_create),
        name="groups",
    ),
    path("Groups/.search", api.scim_endpoint(POST=api.group_search), name="groups-search"),
    path(
        "Groups/<str:scim_id>",
        api.scim_endpoint(
            GET=api.group_get,
            PUT=api.group_replace,
            PATCH=api.group_patch,
            DELETE=api.group_delete,
        ),
        name="group",
    ),
    path(".search", api.scim_endpoint(POST=api.root_search), name="search"),
    path(
        "<path:rest>",
        api.scim_endpoint(
            GET=api.not_found,
            POST=api.not_found,
            PUT=api.not_found,
            PATCH=api.not_found,
            DELETE=api.not_found,
        ),
        name="unknown",
    ),
]
