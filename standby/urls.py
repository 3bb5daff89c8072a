from django.urls import path

from standby import views

app_name = "standby"

urlpatterns = [
    path("", views.standby_list, name="list"),
    path("<int:pk>/leave/", views.standby_leave, name="leave"),
    path("offers/<str:token>/", views.offer, name="offer"),
]
