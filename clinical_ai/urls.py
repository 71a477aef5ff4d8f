from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from clinical_ai.accounts.forms import LoginForm
from clinical_ai.documents.urls import api_urlpatterns as document_api
from clinical_ai.health import healthz

admin.site.site_url = "/models/"  # the admin's "View site": the models page, not a clinician's list

api_v1 = [
    *document_api,
    path("", include("clinical_ai.interop.urls")),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("clinical_ai.accounts.urls")),
    path("audit/", include("clinical_ai.audit.urls")),
    path("models/", include("clinical_ai.nlp.urls")),
    path("quality/", include("clinical_ai.quality.urls")),
    path("api/v1/", include(api_v1)),
    path("", include("clinical_ai.documents.urls")),
]
