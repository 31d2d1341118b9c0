from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("stop/", views.stop, name="stop"),
]
