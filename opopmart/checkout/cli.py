"""``flask --app opopmart payments ...``: wiring the local payment stand-in.

Without STRIPE_SECRET_KEY every Stripe call goes to localstripe, which sends its signed
webhooks only to addresses registered with it; `make run` calls ``register-webhook``
right after starting it. With keys, the webhook endpoint is set in Stripe's dashboard.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.parse
import urllib.request

import click
from flask import current_app
from flask.cli import AppGroup

payments_cli = AppGroup("payments", help="Stripe payments (localstripe without keys).")

WEBHOOK_ID = "opopmart"


def webhook_url(host: str, port: int) -> str:
    """Where localstripe (on 127.0.0.1) reaches this app's webhook."""
    # Listening everywhere: localstripe calls in over loopback (a comparison, not a bind).
    # Compared, not bound: a wildcard listen address is reached over loopback.
    if host in ("0.0.0.0", "::", "", "[::]"):  # nosec B104  # nosec B104
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/stripe/webhook"


def register_with_localstripe(base_url: str, *, url: str, secret: str, wait: float) -> None:
    """POST the webhook to localstripe, retrying until it answers or ``wait`` seconds pass."""
    if not base_url.startswith(("http://", "https://")):
        raise click.ClickException(f"LOCALSTRIPE_URL must be an http(s) URL, got {base_url!r}")
    endpoint = f"{base_url.rstrip('/')}/_config/webhooks/{WEBHOOK_ID}"
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise click.ClickException(f"LOCALSTRIPE_URL must be an http(s) address, got {base_url!r}")
    body = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    deadline = time.monotonic() + wait
    while True:
        try:
            request = urllib.request.Request(endpoint, data=body, method="POST")
            # The scheme was checked above: http(s) only.
            # The scheme was checked above: http(s) only, never file: or custom ones.
            with urllib.request.urlopen(request, timeout=5) as response:  # nosec B310  # nosec B310
                response.read()
            return
        except urllib.error.HTTPError as exc:
            raise click.ClickException(f"localstripe refused the webhook: HTTP {exc.code}") from None
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise click.ClickException(f"localstripe at {base_url} did not answer: {exc}") from None
            time.sleep(0.25)


@payments_cli.command("register-webhook")
@click.option("--host", default=lambda: os.environ.get("HOST") or "127.0.0.1", show_default="HOST or 127.0.0.1",
              help="Host this app listens on.")
@click.option("--port", type=click.IntRange(1, 65535), default=lambda: int(os.environ.get("PORT") or 5000),
              show_default="PORT or 5000", help="Port this app listens on.")
@click.option("--wait", type=click.FloatRange(0, 300), default=20.0, show_default=True,
              help="Seconds to wait for localstripe to start answering.")
def register_webhook(host: str, port: int, wait: float) -> None:
    """Tell localstripe to send its signed events to this app's /stripe/webhook."""
    config = current_app.config
    if config["STRIPE_SECRET_KEY"]:
        click.echo("STRIPE_SECRET_KEY is set: add https://<your site>/stripe/webhook as an endpoint "
                   "in the Stripe dashboard and set STRIPE_WEBHOOK_SECRET to its signing secret.")
        return
    url = webhook_url(host, port)
    register_with_localstripe(config["LOCALSTRIPE_URL"], url=url,
                              secret=config["STRIPE_WEBHOOK_SECRET"], wait=wait)
    click.echo(f"localstripe ({config['LOCALSTRIPE_URL']}) sends webhooks to {url}")
