from django.urls import path

from clinical_ai.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.trail, name="trail"),
    path("patient", views.patient_report, name="patient"),
    path("user", views.user_report, name="user"),
    path("flags", views.flags, name="flags"),
    path("verify", views.verify, name="verify"),
    path("export.<str:fmt>", views.export, name="export"),
]
