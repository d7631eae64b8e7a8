"""Register, log in, log out, profile, password; and the admin's user list.

Views parse, call a service, commit once, render. Account pages are never stored by a
browser or a proxy (``Cache-Control: no-store``).
"""

from __future__ import annotations

from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.ratelimit import Decision, hit
from ..core.params import page_number
from ..core.urls import safe_next
from ..extensions import db
from . import services
from .decorators import role_required
from .forms import LoginForm, PasswordForm, ProfileForm, RegisterForm, RoleForm
from .models import ROLES, User
from .services import AccountError

bp = Blueprint("accounts", __name__)
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")

USERS_PER_PAGE = 50


def _next_url() -> str:
    return safe_next(request.values.get("next"))


def _client_ip() -> str:
    return request.remote_addr or "unknown"


def _too_many(template: str, decision: Decision, **context):
    minutes = max(1, (decision.retry_after + 59) // 60)
    message = _("Terlalu banyak percobaan. Coba lagi dalam %(n)s menit.", n=minutes)
    response = make_response(render_template(template, rate_error=message, **context), 429)
    response.headers["Retry-After"] = str(decision.retry_after)
    return response


def _field_error(form, exc: AccountError) -> None:
    field = getattr(form, exc.field, None)
    if field is None:
        form.form_errors.append(str(exc.message))
    else:
        field.errors = [*field.errors, str(exc.message)]


def _start_session(user: User, remember: bool = False) -> None:
    # A fresh session: nothing from before the login (session fixation) survives,
    # except the anonymous cart, whose lines join the account's cart.
    from ..cart.views import anonymous_cart_token, merge_after_login

    cart_token = anonymous_cart_token()
    session.clear()
    login_user(user, remember=remember)
    merge_after_login(cart_token, user.id)


@bp.route("/daftar", methods=["GET", "POST"])
def register():
    next_url = _next_url()
    if current_user.is_authenticated:
        return redirect(next_url)
    form = RegisterForm()
    if request.method == "POST":
        cfg = current_app.config
        decision = hit(db.session, "register:ip", _client_ip(), cfg["RATELIMIT_REGISTER_PER_IP"])
        if not decision.allowed:
            db.session.commit()  # the attempt counts; nothing else is written
            return _too_many("accounts/register.html", decision, form=form, next_url=next_url)
        if form.validate():
            try:
                user = services.register_user(
                    db.session, name=form.name.data, email=form.email.data,
                    phone=form.phone.data, password=form.password.data,
                )
                db.session.commit()
            except AccountError as exc:
                _field_error(form, exc)
            except IntegrityError:  # the same email registered a moment ago
                db.session.rollback()
                form.email.errors = [*form.email.errors, _("Email ini sudah terdaftar.")]
            else:
                _start_session(user)
                flash(_("Selamat datang di OPOP Mart, %(name)s!", name=user.first_name), "success")
                return redirect(next_url)
        db.session.commit()  # the counted attempt
    return render_template("accounts/register.html", form=form, next_url=next_url)


@bp.route("/masuk", methods=["GET", "POST"])
def login():
    next_url = _next_url()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        email = services.normalize_email(form.email.data)
        decisions = [
            hit(db.session, "login:ip", _client_ip(), cfg["RATELIMIT_LOGIN_PER_IP"]),
            hit(db.session, "login:email", email, cfg["RATELIMIT_LOGIN_PER_EMAIL"]),
        ]
        db.session.commit()
        refused = [d for d in decisions if not d.allowed]
        if refused:
            worst = max(refused, key=lambda d: d.retry_after)
            return _too_many("accounts/login.html", worst, form=form, next_url=next_url)
        user = services.authenticate(db.session, email, form.password.data)
        if user is None:
            form.form_errors.append(_("Email atau kata sandi salah"))
        else:
            _start_session(user, remember=bool(form.remember.data))
            flash(_("Anda sudah masuk."), "success")
            return redirect(next_url)
    return render_template("accounts/login.html", form=form, next_url=next_url)


@bp.post("/keluar")
def logout():
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        services.end_sessions(db.session, user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Anda sudah keluar."), "success")
    return redirect(url_for("catalogue.home"))


@bp.route("/akun", methods=["GET", "POST"])
@login_required
def profile():
    user = db.session.get(User, current_user.id)
    form = ProfileForm(obj=user) if request.method == "GET" else ProfileForm()
    if form.validate_on_submit():
        try:
            services.update_profile(db.session, user, name=form.name.data, phone=form.phone.data)
        except AccountError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(_("Profil disimpan."), "success")
            return redirect(url_for("accounts.profile"), 303)
    return render_template("accounts/profile.html", form=form, user=user)


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():
    user = db.session.get(User, current_user.id)
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, user, current=form.current_password.data,
                                     new=form.new_password.data)
        except AccountError as exc:
            db.session.rollback()
            _field_error(form, exc)
        else:
            db.session.commit()
            logout_user()
            session.clear()
            flash(_("Kata sandi sudah diganti. Silakan masuk lagi dengan kata sandi baru."), "success")
            return redirect(url_for("accounts.login"), 303)
    return render_template("accounts/password.html", form=form)


@admin_bp.get("/pengguna")
@role_required("admin")
def users():
    query = (request.args.get("q") or "").strip()[:254]
    page = page_number(request.args.get("halaman"))
    stmt = select(User).order_by(User.id)
    if query:
        pattern = "%" + query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(User.email.like(pattern, escape="\\"))
    pagination = db.paginate(stmt, page=page, per_page=USERS_PER_PAGE, error_out=False, count=True)
    return render_template("admin/users.html", pagination=pagination, query=query,
                           role_form=RoleForm(), roles=ROLES)


@admin_bp.post("/pengguna/<int:user_id>/peran")
@role_required("admin")
def set_role(user_id: int):
    target = db.session.get(User, user_id)
    if target is None:
        abort(404)
    form = RoleForm()
    back = safe_next(request.form.get("next"), url_for("admin.users"))
    if not form.validate_on_submit() or form.role.data not in ROLES or form.grant.data not in ("1", "0"):
        abort(400)
    actor = db.session.get(User, current_user.id)
    try:
        services.set_role(db.session, actor=actor, target=target, role=form.role.data,
                          granted=form.grant.data == "1")
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back, 303)
    db.session.commit()
    flash(_("Peran %(email)s diperbarui.", email=target.email), "success")
    return redirect(back, 303)


from . import history_views  # noqa: E402,F401 - registers /admin/riwayat on admin_bp
