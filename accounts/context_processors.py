from accounts import idle


def idle_timeout(request):
    """Timings for static/js/idle.js, written as data- attributes on <body> (no inline script)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "idle_seconds_left": idle.seconds_left(request.session),
        "idle_warning_seconds": idle.warning_seconds(),
    }
