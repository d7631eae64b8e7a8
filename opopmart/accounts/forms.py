"""Account forms. Field rules come from accounts.services, so a form and the service it
feeds can never disagree; errors are lazy strings, shown in the visitor's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, TelField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from . import services
from .services import AccountError


class Check:
    """Run a service checker as a WTForms validator."""

    def __init__(self, checker):
        self.checker = checker

    def __call__(self, form, field):
        try:
            self.checker(field.data)
        except AccountError as exc:
            raise ValidationError(str(exc.message)) from None


def _password_check(value):
    services.check_password(value)


REQUIRED = _l("Wajib diisi.")


class RegisterForm(FlaskForm):
    name = StringField(_l("Nama lengkap"), validators=[Check(services.check_name)])
    email = EmailField(_l("Email"), validators=[Check(services.check_email)])
    phone = TelField(_l("Nomor HP"), validators=[Check(services.normalize_phone)])
    password = PasswordField(_l("Kata sandi"), validators=[Check(_password_check)])
    confirm = PasswordField(_l("Ulangi kata sandi"), validators=[
        EqualTo("password", message=_l("Kedua kata sandi tidak sama."))])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(message=REQUIRED), Length(max=254)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(message=REQUIRED), Length(max=1024)])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Nama lengkap"), validators=[Check(services.check_name)])
    phone = TelField(_l("Nomor HP"), validators=[Check(services.normalize_phone)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(message=REQUIRED)])
    new_password = PasswordField(_l("Kata sandi baru"), validators=[Check(_password_check)])
    confirm = PasswordField(_l("Ulangi kata sandi baru"), validators=[
        EqualTo("new_password", message=_l("Kedua kata sandi tidak sama."))])


class RoleForm(FlaskForm):
    role = HiddenField(validators=[DataRequired()])
    grant = HiddenField(validators=[DataRequired()])
