from django.urls import path

from tenants.views import account

app_name = "tenants"

urlpatterns = [
    path("app/", account.app, name="app"),
    path("account/tenants/", account.tenant_list, name="list"),
    path("account/tenants/new/", account.org_create, name="create"),
]
