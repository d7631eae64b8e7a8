"""Entry point for gunicorn: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

from opopmart import create_app

app = create_app()
