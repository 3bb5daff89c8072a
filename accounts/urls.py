from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("signup/code/", views.signup_by_code, name="signup-code"),
    path("profile/data/", views.data_export, name="data-export"),
    path("delete/", views.delete_account, name="delete"),
]
