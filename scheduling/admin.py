from django.contrib import admin

from scheduling.models import Service, WorkingHours


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "duration_minutes", "fee", "active", "position"]
    list_editable = ["active", "position"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: booked visits refer to it


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["therapist", "weekday", "starts", "ends"]
    list_filter = ["therapist", "weekday"]
    list_select_related = ["therapist"]
