from django.contrib import admin

from booking.models import TimeOff


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ["therapist", "starts_at", "ends_at", "note"]
    list_filter = ["therapist"]
    date_hierarchy = "starts_at"
