from django.contrib import admin

from sessions.models import Technique


@admin.register(Technique)
class TechniqueAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "position"]
    list_editable = ["active", "position"]

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead (untick active): notes keep the names they used
