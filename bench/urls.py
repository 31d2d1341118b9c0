"""Bench-only URLs, included by config/urls.py only when BENCH_ENDPOINTS is on."""

from django.urls import path

from bench import views

app_name = "bench"

urlpatterns = [
    path("hello/", views.hello, name="hello"),
    path("stock/t/<slug:slug>/", views.stock_dashboard, name="stock-dashboard"),
]
