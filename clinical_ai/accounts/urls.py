from django.urls import path

from clinical_ai.accounts import views

urlpatterns = [
    path("home", views.home, name="home"),
    path("password", views.PasswordChange.as_view(), name="password_change"),
]
