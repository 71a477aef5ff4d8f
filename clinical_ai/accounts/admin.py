"""The admin site's rules for accounts, and what it may never edit.

An administrator manages users and roles but cannot become someone else: API tokens are shown
as prefixes only (the database holds digests), nobody changes their own role here, and a password
an admin sets is temporary: its user must replace it at first login (``accounts.passwords``). Model
versions are shown read-only: their metrics and paths change only through the audited model
lifecycle (``manage.py models``, the models page).
"""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from rest_framework.authtoken.models import TokenProxy

from clinical_ai.accounts import passwords
from clinical_ai.accounts.models import ApiToken, Profile
from clinical_ai.nlp.admin import ModelVersionAdmin
from clinical_ai.nlp.models import ModelVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Roles and units. Whether a password is temporary is shown, never set here (``accounts.passwords``)."""

    list_display = ("user", "role", "unit", "password_is_temporary")
    list_filter = ("role", "unit")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = ("user", "role") if obj.user_id == request.user.pk else ("user",)
        return (*fixed, "password_is_temporary")

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user  # the actor of the role-change audit event (signals)
        if not change:
            obj.password_is_temporary = passwords.temporary_for_a_new_profile(obj, request.user)
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens by prefix, creation and expiry; an admin may revoke (delete) one, never read or make one."""

    list_display = ("user", "prefix", "created_at", "expires_at")
    fields = list_display


admin.site.unregister(TokenProxy)  # DRF's clear-text tokens: replaced by ApiToken


class RoleDecidesAccessUserAdmin(UserAdmin):
    """Users, where the role (Profile) alone decides access: staff and superuser flags, groups and
    permissions follow it and cannot be set by hand here."""

    readonly_fields = ("is_staff", "is_superuser", "groups", "user_permissions", "last_login", "date_joined")


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), RoleDecidesAccessUserAdmin)


class ReadOnlyModelVersionAdmin(ReadOnlyAdmin, ModelVersionAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(ModelVersion)
admin.site.register(ModelVersion, ReadOnlyModelVersionAdmin)
