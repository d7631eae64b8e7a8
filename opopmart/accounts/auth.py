"""Flask-Login wiring. The cookie carries ``id:session_version``; a bumped version
(logout everywhere, password change) makes every older session anonymous."""

from __future__ import annotations

from flask import Flask

from ..extensions import db, login_manager
from .models import User


def load_user(user_id: str) -> User | None:
    raw_id, _, raw_version = (user_id or "").partition(":")
    if not raw_id.isdigit() or not raw_version.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_version != int(raw_version) or not user.is_active:
        return None
    return user


def register_login(app: Flask) -> None:
    from .decorators import redirect_to_login

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(redirect_to_login)
