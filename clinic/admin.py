from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.models import User
from sessions.models import WorkingHours


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 1


@admin.register(User)
class StaffAdmin(UserAdmin):
    inlines = [WorkingHoursInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "role_list"]
    list_filter = ["is_active", "groups"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def role_list(self, obj):
        return obj.role_label
