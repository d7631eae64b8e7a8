"""The yardstick: the cheapest page Flask can serve, run exactly as the app is."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
