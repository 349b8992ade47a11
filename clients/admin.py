from django.contrib import admin

from clients.models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "preferred_name", "date_of_birth", "phone", "email", "status"]
    list_filter = ["status"]
    search_fields = ["last_name", "first_name", "preferred_name", "email", "phone_digits"]
    readonly_fields = ["created_at", "created_by", "updated_at", "updated_by"]
    list_select_related = []

    def has_delete_permission(self, request, obj=None):
        # Client records are archived, never deleted (they anchor health records).
        return False
