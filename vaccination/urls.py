from django.urls import path

from vaccination import views, views_holds, views_people, views_screening

app_name = "vaccination"

urlpatterns = [
    path("", views.appointment_list, name="appointment-list"),
    path("book/", views.book, name="book"),
    path("book/check/", views.book_check, name="book-check"),
    path("hold/", views_holds.hold, name="hold"),
    path("hold/release/", views_holds.release, name="hold-release"),
    path("hold/finish/", views_holds.finish, name="hold-finish"),
    path("record/", views.vaccination_record, name="record"),
    path("people/", views_people.people, name="people"),
    path("people/<int:pk>/book/", views.book_for, name="book-for"),
    path("people/<int:pk>/book/check/", views.book_for_check, name="book-for-check"),
    path("people/<int:pk>/record/", views.vaccination_record, name="person-record"),
    path("people/<int:pk>/login/", views_people.person_login, name="person-login"),
    path("<int:pk>/", views.appointment_detail, name="appointment-detail"),
    path("<int:pk>/booked/", views.appointment_booked, name="appointment-booked"),
    path("<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("<int:pk>/reschedule/", views.appointment_reschedule, name="appointment-reschedule"),
    path("<int:pk>/reschedule/check/", views.appointment_reschedule_check, name="appointment-reschedule-check"),
    path("<int:pk>/screening/", views_screening.appointment_screening, name="appointment-screening"),
    path("<int:pk>/calendar.ics", views.appointment_calendar, name="appointment-calendar"),
]
