from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("auth/sign-up/", views.sign_up, name="sign-up"),
    path("auth/sign-in/", views.sign_in, name="sign-in"),
    path("auth/sign-out/", views.sign_out, name="sign-out"),
    path("account/", views.profile, name="profile"),
]
