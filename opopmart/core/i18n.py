"""Bahasa Indonesia first, English second. The choice lives in a cookie."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_translations

from ..extensions import babel

LOCALE_COOKIE = "lang"


def select_locale() -> str:
    if not has_request_context():  # CLI commands: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def register_babel(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    install_template_gettext(app)


def request_translations():
    """Flask-Babel's translations, looked up once per request instead of once per string.

    Its own Jinja callables resolve the context and the catalogue on every ``_()``; a
    catalogue page holds dozens of them, which cost more than the page's queries.
    """
    translations = g.get("_opop_translations")
    if translations is None:
        translations = g._opop_translations = get_translations()
    return translations


def install_template_gettext(app: Flask) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
