"""Every log line written during a request names the request and the signed-in user.

The request id comes from a proxy's ``X-Request-ID`` when it is a sane token, else it
is made here; it is echoed in the response so that a shopper's report ("kode: ...") and
the server log meet. The user is taken only if this request already loaded it: logging
must never cause a database query. Bodies, cookies and headers are never logged.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, g, has_request_context, request

_INCOMING = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FORMAT = "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s user=%(user_id)s]: %(message)s"


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = "-"
        record.user_id = "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            user = g.get("_login_user")  # set by Flask-Login once the user is loaded
            if user is not None and getattr(user, "is_authenticated", False):
                record.user_id = str(getattr(user, "id", "-"))
        return True


def install_filter(handler: logging.Handler) -> None:
    if not any(isinstance(f, RequestContextFilter) for f in handler.filters):
        handler.addFilter(RequestContextFilter())


def register_request_log(app: Flask) -> None:
    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _INCOMING.match(incoming) else secrets.token_hex(8)

    @app.after_request
    def _echo_request_id(response):
        if "request_id" in g:
            response.headers["X-Request-ID"] = g.request_id
        return response
