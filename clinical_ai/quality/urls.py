from django.urls import path

from clinical_ai.quality import views

app_name = "quality"

urlpatterns = [
    path("documents/<uuid:document_id>/report", views.report, name="report"),
    path("incidents", views.incident_list, name="incidents"),
    path("incidents/<int:report_id>", views.incident_update, name="incident-update"),
]
