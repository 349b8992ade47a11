from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from clinic.models import User
from scheduling.models import WorkingHours


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

    def get_readonly_fields(self, request, obj=None):
        # A clinic manager runs staff accounts but cannot make anyone (themselves included)
        # a superuser or hand out single permissions: roles are the groups.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
        return fields

    @admin.display(description="Roles")
    def role_list(self, obj):
        return obj.role_label
