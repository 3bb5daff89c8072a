from django.urls import path

from benchmarks import views

app_name = "benchmarks"

urlpatterns = [
    path("f0/", views.f0, name="f0"),
    path("f1/", views.f1, name="f1"),
]
