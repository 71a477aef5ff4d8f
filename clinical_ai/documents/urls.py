from django.urls import path

from clinical_ai.documents import api, views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("documents/new", views.document_upload, name="upload"),
    path("documents/<uuid:document_id>", views.document_detail, name="detail"),
    path("documents/<uuid:document_id>/original", views.document_original, name="original"),
]

api_urlpatterns = [
    path("documents", api.DocumentCollection.as_view(), name="api-documents"),
    path("documents/<str:document_id>", api.DocumentDetail.as_view(), name="api-document"),
    path("batches/<str:batch_id>", api.BatchDetail.as_view(), name="api-batch"),
]
