"""Access rules for views: Flask-Login's ``login_required`` and ``role_required``."""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required  # noqa: F401 - re-exported


def redirect_to_login():
    """To the login page, coming back here afterwards (a path, never a full URL)."""
    flash(_("Silakan masuk untuk membuka halaman ini."), "info")
    here = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return redirect(url_for("accounts.login", next=here))


def role_required(role: str):
    """Anonymous visitors go to the login page; signed-in users without ``role`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect_to_login()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
