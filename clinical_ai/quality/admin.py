from django.contrib import admin

from clinical_ai.quality.models import DailyStatistics, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    """Incidents change through their audited workflow and statistics through the monitor, not here."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "category", "target", "model_version", "status", "created_at")
    list_filter = ("category", "status")


@admin.register(DailyStatistics)
class DailyStatisticsAdmin(ReadOnlyAdmin):
    list_display = ("model_version", "day", "documents", "flags")
