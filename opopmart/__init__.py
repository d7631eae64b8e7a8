"""OPOP Mart: the curated marketplace of East Java's One Pesantren One Product programme."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from .config import Config, config_from_env

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(
    config: Config | type[Config] | dict | None = None, overrides: dict | None = None
) -> Flask:
    """Build an app.

    ``config`` is a Config class or instance, or None for the one ``OPOPMART_ENV`` names;
    a dict is taken as overrides on top of that (as in Flask's tutorial). ``overrides``
    are applied last; ``INSTANCE_PATH`` among them moves the instance folder.
    """
    if isinstance(config, dict):
        config, overrides = None, {**config, **(overrides or {})}
    overrides = dict(overrides or {})
    instance_path = overrides.pop("INSTANCE_PATH", None)
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    if config is None:
        config = config_from_env()
    elif isinstance(config, type):
        config = config()
    config.resolve(app.instance_path)
    app.config.from_object(config)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    register_jobs(app)
    return app


def register_logging(app: Flask) -> None:
    from .core.request_log import FORMAT, install_filter, register_request_log

    register_request_log(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format=FORMAT)
        for handler in logging.getLogger().handlers:
            install_filter(handler)


def register_extensions(app: Flask) -> None:
    from .accounts.auth import register_login
    from .core.cache import register_cache
    from .checkout.stripe_gateway import register_payments
    from .search import register_search
    from .core.database import register_database
    from .core.i18n import register_babel
    from .extensions import csrf, db, migrate
    from . import models  # noqa: F401 - every table known to Alembic and the ORM

    register_database(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    register_babel(app)
    register_login(app)
    register_cache(app)
    register_search(app)
    register_payments(app)


def register_blueprints(app: Flask) -> None:
    from .core.urls import register_converters

    register_converters(app)  # before the first route: <int:...> ids a database can hold
    from .accounts.views import admin_bp
    from .accounts.views import bp as accounts_bp
    from .cart.views import bp as cart_bp
    from .catalogue.views import bp as catalogue_bp
    from .checkout.views import bp as checkout_bp
    from .checkout.address_views import bp as addresses_bp
    from .checkout.payment_views import bp as payments_bp
    from .checkout.rate_views import bp as shipping_rates_bp
    from .core.views import bp as core_bp
    from .curation.views import bp as curation_bp
    from .notifications.views import bp as notifications_bp
    from .orders.studio_views import bp as studio_orders_bp
    from .orders.views import bp as orders_bp
    from .search.views import bp as search_bp
    from .seller.views import bp as seller_bp
    from .insight.studio_views import bp as direct_sales_bp
    from .insight.views import bp as insight_bp
    from .missions.views import bp as missions_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(catalogue_bp)
    app.register_blueprint(checkout_bp)
    app.register_blueprint(addresses_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(shipping_rates_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(seller_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(curation_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(studio_orders_bp)
    app.register_blueprint(cart_bp)
    app.register_blueprint(insight_bp)
    app.register_blueprint(direct_sales_bp)
    app.register_blueprint(missions_bp)


def register_errorhandlers(app: Flask) -> None:
    from .core.errors import register_errors

    register_errors(app)


def register_security(app: Flask) -> None:
    from .core.security import register_security_headers
    from .core.static_assets import register_static_assets

    register_security_headers(app)
    register_static_assets(app)


def register_template_helpers(app: Flask) -> None:
    from .core.slots import register_slots
    from .core.templating import register_templating

    register_templating(app)
    register_slots(app)


def register_jobs(app: Flask) -> None:
    from .curation.lapse import register_lapse_check

    register_lapse_check(app)


def register_commands(app: Flask) -> None:
    from .checkout.cli import payments_cli
    from .cli import register_cli
    from .orders.cli import orders_cli

    register_cli(app)
    app.cli.add_command(payments_cli)
    app.cli.add_command(orders_cli)
