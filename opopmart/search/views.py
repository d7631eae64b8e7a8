"""/cari (the search page) and /api/search/suggest (the header box's typeahead)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from ..core.templating import current_locale
from .forms import parse_search_args
from .services import SORT_LABELS, run_search, suggestions

bp = Blueprint("search", __name__)


@bp.get("/cari")
def results():
    args = parse_search_args(request.args)
    page = run_search(args, current_app.config["CATALOGUE_PAGE_SIZE"], current_locale())
    return render_template("search/results.html", page=page, args=args, sort_labels=SORT_LABELS,
                           search_text=args.text)


@bp.get("/api/search/suggest")
def suggest():
    data = suggestions(request.args.get("q"), current_locale(), url_for("search.results"))
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-cache"
    return response
