"""URLs of the stock-Django reference instance (bench/stock_settings.py)."""

from django.urls import path

from bench import views

urlpatterns = [
    path("hello/", views.hello),
    path("signed-in/", views.stock_signed_in),
]
