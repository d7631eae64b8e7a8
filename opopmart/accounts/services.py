"""Account rules: registration, sign-in checks, profile, password, roles.

Services take explicit arguments (never ``current_user`` or ``request``), flush and leave
the commit to the view. Bad input raises ``AccountError`` carrying the field it is about.
"""

from __future__ import annotations

import re

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .models import ROLES, User

DEFAULT_HASH_METHOD = "scrypt:32768:8:1"
PASSWORD_MIN = 8
PASSWORD_MAX = 128
NAME_MAX = 120
EMAIL_MAX = 254

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+$")
# After the country code: a mobile number is 8, then 8 to 11 more digits.
MOBILE_RE = re.compile(r"^8[1-9][0-9]{7,10}$")
PHONE_SEPARATORS = re.compile(r"[\s\-.()]")

# Checked against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH: str | None = None


class AccountError(ValueError):
    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def hash_password(password: str) -> str:
    """scrypt, memory-hard. The work factor is configuration (PASSWORD_HASH_METHOD): the
    real one (N=2**15, r=8, p=1) everywhere but the test suite, which would otherwise
    spend minutes hashing fixture passwords."""
    method = DEFAULT_HASH_METHOD
    if has_app_context():
        method = current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_HASH_METHOD)
    return generate_password_hash(password, method=method)


def normalize_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


def check_email(raw: str | None) -> str:
    email = normalize_email(raw)
    if not email or len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
        raise AccountError("email", _l("Masukkan alamat email yang valid."))
    return email


def normalize_phone(raw: str | None) -> str:
    """Indonesian mobile numbers (08…, 628…, +628…) as ``+628…``; AccountError otherwise."""
    value = PHONE_SEPARATORS.sub("", (raw or "").strip())
    if value.startswith("+62"):
        national = value[3:]
    elif value.startswith("62"):
        national = value[2:]
    elif value.startswith("0"):
        national = value[1:]
    else:
        national = ""
    if not national.isascii() or not MOBILE_RE.match(national):
        raise AccountError("phone", _l("Masukkan nomor HP Indonesia, misalnya 0812 3456 7890."))
    return "+62" + national


def check_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise AccountError("name", _l("Nama wajib diisi."))
    if len(name) > NAME_MAX:
        raise AccountError("name", _l("Nama paling banyak %(n)s karakter.", n=NAME_MAX))
    return name


def check_password(password: str | None, field: str = "password") -> str:
    password = password or ""
    if len(password) < PASSWORD_MIN or len(password) > PASSWORD_MAX:
        raise AccountError(field, _l("Kata sandi harus %(min)s–%(max)s karakter.",
                                     min=PASSWORD_MIN, max=PASSWORD_MAX))
    return password


def find_by_email(session: Session, email: str) -> User | None:
    return session.execute(select(User).where(User.email == normalize_email(email))).scalar_one_or_none()


def email_taken(session: Session, email: str) -> bool:
    return session.execute(
        select(func.count()).select_from(User).where(User.email == normalize_email(email))
    ).scalar_one() > 0


def register_user(session: Session, *, name: str, email: str, phone: str, password: str) -> User:
    """A new shopper. Checks every field first, so nothing is written on bad input."""
    user = User(
        name=check_name(name),
        email=check_email(email),
        phone=normalize_phone(phone),
        password_hash=None,
    )
    check_password(password)
    if email_taken(session, user.email):
        raise AccountError("email", _l("Email ini sudah terdaftar."))
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (same cost either way)."""
    global _DUMMY_HASH
    user = find_by_email(session, email) if email and len(email) <= EMAIL_MAX else None
    password = (password or "")[:PASSWORD_MAX * 4]
    if user is None or not user.password_hash:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not-a-real-password")
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def end_sessions(session: Session, user: User) -> None:
    """Every session and remember cookie of this user stops working (auth.load_user)."""
    user.session_version = (user.session_version or 1) + 1
    session.flush()


def update_profile(session: Session, user: User, *, name: str, phone: str) -> None:
    name, phone = check_name(name), normalize_phone(phone)
    user.name, user.phone = name, phone
    session.flush()


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise AccountError("current_password", _l("Kata sandi saat ini salah."))
    check_password(new, field="new_password")
    user.password_hash = hash_password(new)
    end_sessions(session, user)


def set_role(session: Session, *, actor: User, target: User, role: str, granted: bool) -> None:
    if role not in ROLES:
        raise AccountError("role", _l("Peran tidak dikenal."))
    if role == "admin" and not granted and actor.id == target.id:
        raise AccountError("role", _l("Anda tidak bisa mencabut peran admin Anda sendiri."))
    setattr(target, f"is_{role}", granted)
    session.flush()


def make_admin(session: Session, *, email: str, name: str, password: str | None) -> tuple[User, bool]:
    """For the CLI: an existing user becomes admin, or a new admin is created.

    Returns (user, created)."""
    existing = find_by_email(session, check_email(email))
    if existing is not None:
        existing.is_admin = True
        session.flush()
        return existing, False
    user = User(name=check_name(name), email=check_email(email),
                password_hash=hash_password(check_password(password)), is_admin=True)
    session.add(user)
    session.flush()
    return user, True
