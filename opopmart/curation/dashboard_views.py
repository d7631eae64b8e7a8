"""The curators' dashboard (``/kurasi/dasbor``): queue size, oldest waiting, median time to
decision, approval rate, per curator. Registered on the curation blueprint (imported at
the bottom of curation/views.py), so it shares its curator-only rule and ``no-store``.
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from ..accounts.decorators import role_required
from ..core.params import whole_number
from ..core.timeutil import utcnow
from ..extensions import db
from . import dashboard as figures
from .models import ReviewDecision
from .views import bp, decision_labels


def format_waited(value: timedelta | None) -> str:
    """A duration as a curator reads it: "3 hari 4 jam", "5 jam 10 menit", "12 menit"."""
    if value is None:
        return "-"
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = ngettext("%(num)s hari", "%(num)s hari", days)
        return f"{text} {ngettext('%(num)s jam', '%(num)s jam', hours)}" if hours else text
    if hours:
        text = ngettext("%(num)s jam", "%(num)s jam", hours)
        return f"{text} {ngettext('%(num)s menit', '%(num)s menit', minutes)}" if minutes else text
    if minutes:
        return ngettext("%(num)s menit", "%(num)s menit", minutes)
    return _("kurang dari 1 menit")


def format_rate(rate: float | None) -> str:
    """0..1 as a whole percentage ("67%"); "-" when there was nothing to divide."""
    return "-" if rate is None else f"{round(rate * 100)}%"


def _period() -> int:
    days = whole_number(request.args.get("hari"))
    return days if days in figures.PERIODS else figures.DEFAULT_PERIOD


@bp.get("/dasbor")
@role_required("curator")
def dashboard():
    data = figures.dashboard(db.session, now=utcnow(), days=_period())
    return render_template(
        "curation/dashboard.html", d=data, periods=figures.PERIODS, decisions=list(ReviewDecision),
        labels=decision_labels(), waited=format_waited, rate=format_rate,
        # The queue tabs (curation/_nav.html) read these.
        product_count=data.products_waiting, producer_count=data.producers_waiting,
    )
