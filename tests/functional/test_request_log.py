"""Log lines carry the request id (echoed to the client) and the signed-in user's id."""

import logging

from opopmart.core.request_log import FORMAT, RequestContextFilter
from tests.functional.test_accounts import login, make_user


class Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestContextFilter())
        self.setFormatter(logging.Formatter(FORMAT))
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


def test_given_request_when_logging_then_request_id_and_user_in_line(app, client, session):
    @app.get("/_log_probe")
    def probe():
        from flask_login import current_user

        _ = current_user.id  # loads the user, as any signed-in page does
        app.logger.warning("probe")
        return "ok"

    user = make_user(session, email="log@contoh.id")
    login(client, email="log@contoh.id")
    handler = Collect()
    app.logger.addHandler(handler)

    response = client.get("/_log_probe", headers={"X-Request-ID": "abc12345-proxy"})

    app.logger.removeHandler(handler)
    assert response.headers["X-Request-ID"] == "abc12345-proxy"
    assert handler.lines[-1].endswith(f"[req=abc12345-proxy user={user.id}]: probe")


def test_given_unsafe_incoming_id_when_requested_then_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>x</script>"})

    rid = response.headers["X-Request-ID"]
    assert len(rid) == 16 and all(c in "0123456789abcdef" for c in rid)


def test_given_no_request_when_logging_then_dashes():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)

    RequestContextFilter().filter(record)

    assert (record.request_id, record.user_id) == ("-", "-")


def test_given_database_and_no_index_when_health_checked_then_ok_and_search_missing(client):
    response = client.get("/healthz")

    assert (response.status_code, response.get_json()) == (
        200, {"status": "ok", "database": "ok", "search": "missing"})


def test_given_database_unreachable_when_health_checked_then_503(tmp_path):
    from opopmart import create_app
    from opopmart.config import TestConfig

    broken = create_app(TestConfig, {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/no-such-dir/x.db",
        "INSTANCE_PATH": str(tmp_path / "instance"), "SEARCH_INDEX_DIR": str(tmp_path / "search"),
    })

    response = broken.test_client().get("/healthz")

    assert (response.status_code, response.get_json()["database"]) == (503, "error")
