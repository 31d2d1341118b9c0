"""Tenant pages, one module per page. Thin: TenantMiddleware has already resolved
request.tenant, request.membership and request.role."""
