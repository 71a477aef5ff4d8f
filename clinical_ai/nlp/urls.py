from django.urls import path

from clinical_ai.nlp import views

app_name = "nlp"

urlpatterns = [
    path("", views.model_list, name="list"),
    path("train", views.train, name="train"),
    path("<int:version_id>/promote", views.promote, name="promote"),
    path("<int:version_id>/retire", views.retire, name="retire"),
    path("<int:version_id>/assign", views.assign, name="assign"),
    path("rollback/<str:task>", views.rollback, name="rollback"),
]
