"""Trade mission pages: the admins' mission pages, the deal desk, and the public pages.

- ``/admin/misi-dagang…``: admins only (others signed in get 403, visitors log in).
- ``/admin/misi-dagang/<id>/transaksi…``: the deal desk, for admins and that mission's
  desk staff; to everyone else signed in the mission's desk does not exist (404).
- ``/misi-dagang…``: public once a mission is published (admins may preview a draft);
  an unpublished mission is a 404. The deal CSV is public once the event is over.

Views parse, authorise, call one service, commit once. Nothing here is page-cached
(core.cache): the tally and its JSON are read from the database on every request and
sent with ``Cache-Control: no-store``, so a deal shows on the big screen's next poll.
"""

from __future__ import annotations

from datetime import datetime

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..accounts.decorators import role_required
from ..core.errors import flash_errors
from ..core.money import format_rupiah
from ..core.spreadsheet import csv_download
from ..core.timeutil import today_jakarta, utcnow
from ..extensions import db
from ..seller.forms import apply_errors, options
from . import services
from .forms import (ActionForm, CorrectionForm, DealForm, MissionForm, ParticipantForm, PartnerForm,
                    StaffForm, StatusForm, VoidForm)
from .models import (DEAL_KIND_LABELS, MISSION_STATUS_LABELS, MISSION_WORKFLOW, MissionPartner,
                     MissionStatus, TradeMission)
from .services import MissionError

bp = Blueprint("missions", __name__)

ADMIN = "/admin/misi-dagang"
PUBLIC = "/misi-dagang"
# How often the big screen asks for new figures.
DEFAULT_TALLY_POLL_MS = 4000


@bp.record_once
def _template_globals(state) -> None:
    # The header's account menu shows the desk link to staff of a mission still open.
    state.app.jinja_env.globals["mission_desk_link"] = (
        lambda user: bool(user.is_admin) or services.has_open_desk(db.session, int(user.id)))


def _user_id() -> int:
    return int(current_user.id)


def when(stored: datetime | None) -> str:
    """A stored (UTC) time as Western Indonesia Time: ``24 November 2026 10:30 WIB``."""
    if stored is None:
        return "-"
    local = services.utc_to_local(stored)
    return f"{format_date(local.date(), 'd MMMM y')} {local:%H:%M} WIB"


def day_span(mission: TradeMission) -> str:
    if mission.starts_on == mission.ends_on:
        return format_date(mission.starts_on, "d MMMM y")
    return f"{format_date(mission.starts_on, 'd MMMM y')} – {format_date(mission.ends_on, 'd MMMM y')}"


def phase(mission: TradeMission) -> tuple[str, str]:
    """(css class, label) of where the event is: upcoming, running, over, or a draft."""
    today = today_jakarta()
    if mission.status is MissionStatus.DRAFT:
        return "draft", _("Draf")
    if mission.is_over(today):
        return "over", _("Selesai")
    if today < mission.starts_on:
        return "upcoming", _("Akan datang")
    return "live", _("Sedang berlangsung")


def _helpers() -> dict:
    return {"when": when, "day_span": day_span, "phase": phase, "kind_labels": DEAL_KIND_LABELS,
            "status_labels": MISSION_STATUS_LABELS}


def _mission_or_404(mission_id: int) -> TradeMission:
    mission = db.session.get(TradeMission, mission_id)
    if mission is None:
        abort(404)
    return mission


def _commit_or_errors(form, action, *, rename: dict | None = None):
    """Run one service call and commit; a refusal puts its messages on ``form``, rolls back
    and returns None, so a view says only what to do on success."""
    try:
        result = action()
        db.session.commit()
    except MissionError as exc:
        db.session.rollback()
        apply_errors(form, {(rename or {}).get(k, k): v for k, v in exc.errors.items()})
    except IntegrityError:
        db.session.rollback()
        form.form_errors.append(_("Data bentrok dengan perubahan lain. Periksa lagi lalu simpan ulang."))
    else:
        return result if result is not None else True
    return None


# --------------------------------------------------------------------------------------
# Admin: missions


@bp.get(ADMIN)
@role_required("admin")
def admin_list():
    missions = services.all_missions(db.session)
    totals = services.totals_by_mission(db.session, [m.id for m in missions])
    return render_template("missions/admin_list.html", missions=missions, totals=totals, **_helpers())


def _mission_form(mission: TradeMission | None = None, formdata: bool = True) -> MissionForm:
    form = MissionForm() if formdata else MissionForm(obj=mission)
    if not formdata and mission is not None:
        form.target_value.data = services._thousands(mission.target_value) if mission.target_value else ""
        form.starts_on.data = mission.starts_on.isoformat()
        form.ends_on.data = mission.ends_on.isoformat()
    form.partner_province_code.choices = options(
        [("", _("— pilih provinsi —"))] + services.province_choices(db.session))
    return form


def _mission_input(form: MissionForm) -> services.MissionInput:
    return services.MissionInput(
        name=form.name.data or "", partner_province_code=form.partner_province_code.data or "",
        partner_city=form.partner_city.data or "", venue=form.venue.data or "",
        starts_on=form.starts_on.data or "", ends_on=form.ends_on.data or "",
        description=form.description.data or "", target_value=form.target_value.data or "")


@bp.route(f"{ADMIN}/baru", methods=["GET", "POST"])
@role_required("admin")
def new_mission():
    form = _mission_form()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        mission = _commit_or_errors(form, lambda: services.create_mission(
            db.session, data=_mission_input(form), actor_id=_user_id(), now=utcnow()))
        if mission is not None:
            flash(_("Misi dagang dibuat sebagai draf. Tambahkan peserta, mitra dan petugas meja."), "success")
            return redirect(url_for("missions.manage", mission_id=mission.id), 303)
    return render_template("missions/mission_form.html", form=form, mission=None)


@bp.route(f"{ADMIN}/<int:mission_id>/ubah", methods=["GET", "POST"])
@role_required("admin")
def edit_mission(mission_id: int):
    mission = _mission_or_404(mission_id)
    if request.method == "GET":
        return render_template("missions/mission_form.html", form=_mission_form(mission, formdata=False),
                               mission=mission)
    form = _mission_form()
    if not form.validate_on_submit():
        abort(400)
    if _commit_or_errors(form, lambda: services.update_mission(
            db.session, mission, data=_mission_input(form), actor_id=_user_id(), now=utcnow())):
        flash(_("Data misi dagang disimpan."), "success")
        return redirect(url_for("missions.manage", mission_id=mission.id), 303)
    return render_template("missions/mission_form.html", form=form, mission=_mission_or_404(mission_id))


def _participant_form(mission: TradeMission) -> ParticipantForm:
    form = ParticipantForm()
    form.producer_id.choices = options(
        [("", _("— pilih produsen —"))] + services.verified_producer_choices(db.session, mission))
    return form


def _manage_page(mission: TradeMission, *, participant_form=None, partner_form=None, staff_form=None,
                 status_form=None):
    return render_template(
        "missions/manage.html", mission=mission,
        participant_form=participant_form or _participant_form(mission),
        partner_form=partner_form or PartnerForm(formdata=None),
        staff_form=staff_form or StaffForm(formdata=None),
        status_form=status_form or StatusForm(formdata=None),
        action_form=ActionForm(), targets=sorted(MISSION_WORKFLOW.targets(mission.status)),
        staff=services.desk_staff(db.session, mission),
        deal_count=services.deal_count(db.session, mission),
        totals=services.totals_by_mission(db.session, [mission.id]).get(mission.id, (0, 0)),
        **_helpers())


@bp.get(f"{ADMIN}/<int:mission_id>")
@role_required("admin")
def manage(mission_id: int):
    return _manage_page(_mission_or_404(mission_id))


def _back_to_manage(mission_id: int, anchor: str = ""):
    return redirect(url_for("missions.manage", mission_id=mission_id) + anchor, 303)


@bp.post(f"{ADMIN}/<int:mission_id>/status")
@role_required("admin")
def change_status(mission_id: int):
    mission = _mission_or_404(mission_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_status(db.session, mission, form.target.data or "", actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except MissionError as exc:
        db.session.rollback()
        flash_errors(exc)
    else:
        flash(_("Status misi: %(status)s.", status=MISSION_STATUS_LABELS[mission.status]), "success")
    return _back_to_manage(mission_id)


@bp.post(f"{ADMIN}/<int:mission_id>/peserta")
@role_required("admin")
def add_participant(mission_id: int):
    mission = _mission_or_404(mission_id)
    form = _participant_form(mission)
    if not form.validate_on_submit():
        abort(400)
    row = _commit_or_errors(form, lambda: services.add_participant(
        db.session, mission, producer_id=form.producer_id.data, actor_id=_user_id(), now=utcnow()))
    if row is None:
        return _manage_page(_mission_or_404(mission_id), participant_form=form)
    flash(_("%(name)s ikut misi dagang ini.", name=row.producer.name), "success")
    return _back_to_manage(mission_id, "#peserta")


@bp.post(f"{ADMIN}/<int:mission_id>/peserta/<int:producer_id>/hapus")
@role_required("admin")
def remove_participant(mission_id: int, producer_id: int):
    mission = _mission_or_404(mission_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        producer = services.remove_participant(db.session, mission, producer_id=producer_id,
                                               actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except LookupError:
        abort(404)
    except MissionError as exc:
        db.session.rollback()
        flash_errors(exc)
    else:
        flash(_("%(name)s tidak lagi menjadi peserta.", name=producer.name), "success")
    return _back_to_manage(mission_id, "#peserta")


def _partner_input(form: PartnerForm) -> services.PartnerInput:
    return services.PartnerInput(name=form.name.data or "", city=form.city.data or "",
                                 sector=form.sector.data or "", contact=form.contact.data or "")


@bp.post(f"{ADMIN}/<int:mission_id>/mitra")
@role_required("admin")
def add_partner(mission_id: int):
    mission = _mission_or_404(mission_id)
    form = PartnerForm()
    if not form.validate_on_submit():
        abort(400)
    partner = _commit_or_errors(form, lambda: services.add_partner(
        db.session, mission, data=_partner_input(form), actor_id=_user_id(), now=utcnow()))
    if partner is None:
        return _manage_page(_mission_or_404(mission_id), partner_form=form)
    flash(_("Mitra %(name)s ditambahkan.", name=partner.name), "success")
    return _back_to_manage(mission_id, "#mitra")


def _partner_or_404(mission: TradeMission, partner_id: int) -> MissionPartner:
    partner = db.session.get(MissionPartner, partner_id)
    if partner is None or partner.mission_id != mission.id:
        abort(404)
    return partner


@bp.route(f"{ADMIN}/<int:mission_id>/mitra/<int:partner_id>/ubah", methods=["GET", "POST"])
@role_required("admin")
def edit_partner(mission_id: int, partner_id: int):
    mission = _mission_or_404(mission_id)
    partner = _partner_or_404(mission, partner_id)
    if request.method == "GET":
        return render_template("missions/partner_form.html", mission=mission, partner=partner,
                               form=PartnerForm(obj=partner))
    form = PartnerForm()
    if not form.validate_on_submit():
        abort(400)
    if _commit_or_errors(form, lambda: services.update_partner(
            db.session, mission, partner, data=_partner_input(form), actor_id=_user_id(), now=utcnow())):
        flash(_("Data mitra disimpan."), "success")
        return _back_to_manage(mission_id, "#mitra")
    mission = _mission_or_404(mission_id)
    return render_template("missions/partner_form.html", mission=mission,
                           partner=_partner_or_404(mission, partner_id), form=form)


@bp.post(f"{ADMIN}/<int:mission_id>/mitra/<int:partner_id>/hapus")
@role_required("admin")
def remove_partner(mission_id: int, partner_id: int):
    mission = _mission_or_404(mission_id)
    partner = _partner_or_404(mission, partner_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    name = partner.name
    try:
        services.remove_partner(db.session, mission, partner, actor_id=_user_id(), now=utcnow())
        db.session.commit()
    except MissionError as exc:
        db.session.rollback()
        flash_errors(exc)
    else:
        flash(_("Mitra %(name)s dihapus dari daftar.", name=name), "success")
    return _back_to_manage(mission_id, "#mitra")


@bp.post(f"{ADMIN}/<int:mission_id>/petugas")
@role_required("admin")
def add_staff(mission_id: int):
    mission = _mission_or_404(mission_id)
    form = StaffForm()
    if not form.validate_on_submit():
        abort(400)
    row = _commit_or_errors(form, lambda: services.add_desk_staff(
        db.session, mission, email=form.email.data or "", actor_id=_user_id(), now=utcnow()))
    if row is None:
        return _manage_page(_mission_or_404(mission_id), staff_form=form)
    flash(_("%(name)s kini bisa mencatat transaksi misi ini.", name=row.user.name), "success")
    return _back_to_manage(mission_id, "#petugas")


@bp.post(f"{ADMIN}/<int:mission_id>/petugas/<int:user_id>/hapus")
@role_required("admin")
def remove_staff(mission_id: int, user_id: int):
    mission = _mission_or_404(mission_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        user = services.remove_desk_staff(db.session, mission, user_id=user_id, actor_id=_user_id(),
                                          now=utcnow())
        db.session.commit()
    except LookupError:
        abort(404)
    flash(_("%(name)s tidak lagi menjadi petugas meja transaksi.", name=user.name), "success")
    return _back_to_manage(mission_id, "#petugas")


# --------------------------------------------------------------------------------------
# The deal desk


@bp.get(f"{ADMIN}/meja")
@login_required
def my_desks():
    """The missions whose desk the user may open (all of them for admins)."""
    return render_template("missions/my_desks.html",
                           missions=services.desk_missions(db.session, current_user), **_helpers())


def _desk_mission_or_404(mission_id: int) -> TradeMission:
    mission = db.session.get(TradeMission, mission_id)
    if mission is None or not services.can_record(db.session, mission, current_user):
        abort(404)
    return mission


def _deal_form_choices(form: DealForm, mission: TradeMission) -> DealForm:
    form.producer_id.choices = options(
        [("", _("— pilih produsen —"))]
        + [(p.producer_id, p.producer.name) for p in sorted(mission.participants, key=lambda p: p.producer.name)])
    form.partner_id.choices = options(
        [("", _("— pilih mitra —"))] + [(p.id, f"{p.name} ({p.city})" if p.city else p.name)
                                        for p in mission.partners])
    return form


def _deal_input(form: DealForm) -> services.DealInput:
    return services.DealInput(
        kind=form.kind.data or "", producer_id=form.producer_id.data or "",
        partner_id=form.partner_id.data or "", new_partner=form.new_partner.data or "",
        commodity=form.commodity.data or "", quantity=form.quantity.data or "", unit=form.unit.data or "",
        value=form.value.data or "", occurred_at=form.occurred_at.data or "")


def _blank_deal_form(mission: TradeMission) -> DealForm:
    form = _deal_form_choices(DealForm(formdata=None), mission)
    now_local = services.utc_to_local(utcnow())
    if mission.starts_on <= now_local.date() <= mission.ends_on:
        form.occurred_at.data = now_local.strftime("%Y-%m-%dT%H:%M")
    return form


def _desk_page(mission: TradeMission, form: DealForm, status: int = 200):
    rows = services.desk_rows(db.session, mission)
    return render_template(
        "missions/desk.html", mission=mission, form=form, rows=rows,
        total_rows=services.deal_count(db.session, mission), limit=services.DESK_ROWS,
        figures=services.tally(db.session, mission, top=5),
        commodities=sorted({r.deal.commodity for r in rows}),
        units=sorted({r.deal.unit for r in rows if r.deal.unit} | {"kg", "ton", "unit", "paket", "pcs"}),
        closed=mission.status is MissionStatus.CLOSED, **_helpers()), status


@bp.route(f"{ADMIN}/<int:mission_id>/transaksi", methods=["GET", "POST"])
@login_required
def desk(mission_id: int):
    mission = _desk_mission_or_404(mission_id)
    if request.method == "GET":
        return _desk_page(mission, _blank_deal_form(mission))
    form = _deal_form_choices(DealForm(), mission)
    if not form.validate_on_submit():
        abort(400)
    deal = _commit_or_errors(form, lambda: services.record_deal(
        db.session, mission, data=_deal_input(form), actor_id=_user_id(), now=utcnow()))
    if deal is None:
        return _desk_page(_desk_mission_or_404(mission_id), form)
    flash(_("Transaksi #%(id)s dicatat: %(value)s.", id=deal.id, value=format_rupiah(deal.value)), "success")
    return redirect(url_for("missions.desk", mission_id=mission_id), 303)


def _desk_deal_or_404(mission: TradeMission, deal_id: int):
    deal = services.mission_deal(db.session, mission, deal_id)
    if deal is None:
        abort(404)
    return deal


def _deal_page(mission, deal, correction_form, void_form):
    return render_template(
        "missions/deal.html", mission=mission, deal=deal, voided=services.is_voided(db.session, deal),
        correction_form=correction_form, void_form=void_form,
        occurred=when(deal.occurred_at), closed=mission.status is MissionStatus.CLOSED, **_helpers())


@bp.route(f"{ADMIN}/<int:mission_id>/transaksi/<int:deal_id>/koreksi", methods=["GET", "POST"])
@login_required
def correct(mission_id: int, deal_id: int):
    mission = _desk_mission_or_404(mission_id)
    deal = _desk_deal_or_404(mission, deal_id)
    if request.method == "GET":
        form = _deal_form_choices(CorrectionForm(formdata=None, data=vars(services.deal_input_from(deal))),
                                  mission)
        return _deal_page(mission, deal, form, VoidForm(formdata=None))
    form = _deal_form_choices(CorrectionForm(), mission)
    if not form.validate_on_submit():
        abort(400)
    new = _commit_or_errors(form, lambda: services.correct_deal(
        db.session, mission, deal, data=_deal_input(form), reason=form.reason.data or "",
        actor_id=_user_id(), now=utcnow()))
    if new is None:
        mission = _desk_mission_or_404(mission_id)
        return _deal_page(mission, _desk_deal_or_404(mission, deal_id), form, VoidForm(formdata=None))
    flash(_("Transaksi #%(old)s dikoreksi menjadi #%(new)s.", old=deal_id, new=new.id), "success")
    return redirect(url_for("missions.desk", mission_id=mission_id), 303)


@bp.post(f"{ADMIN}/<int:mission_id>/transaksi/<int:deal_id>/batal")
@login_required
def void(mission_id: int, deal_id: int):
    mission = _desk_mission_or_404(mission_id)
    deal = _desk_deal_or_404(mission, deal_id)
    form = VoidForm()
    if not form.validate_on_submit():
        abort(400)
    if _commit_or_errors(form, lambda: services.void_deal(
            db.session, mission, deal, reason=form.void_reason.data or "", actor_id=_user_id(),
            now=utcnow()), rename={"reason": "void_reason"}):
        flash(_("Transaksi #%(id)s dibatalkan.", id=deal_id), "success")
        return redirect(url_for("missions.desk", mission_id=mission_id), 303)
    mission = _desk_mission_or_404(mission_id)
    deal = _desk_deal_or_404(mission, deal_id)
    correction = _deal_form_choices(CorrectionForm(formdata=None, data=vars(services.deal_input_from(deal))),
                                    mission)
    return _deal_page(mission, deal, correction, form)


# --------------------------------------------------------------------------------------
# Public pages


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _public_mission_or_404(slug: str) -> TradeMission:
    """A published (or closed) mission; a draft only for admins, who preview it."""
    mission = services.mission_by_slug(db.session, slug)
    if mission is None:
        abort(404)
    if not mission.is_public and not (current_user.is_authenticated and current_user.is_admin):
        abort(404)
    return mission


def _csv_open(mission: TradeMission) -> bool:
    if current_user.is_authenticated and current_user.is_admin:
        return True
    return mission.is_public and mission.is_over(today_jakarta())


@bp.get(PUBLIC)
def public_list():
    missions = services.public_missions(db.session)
    totals = services.totals_by_mission(db.session, [m.id for m in missions])
    response = current_app.make_response(
        render_template("missions/public_list.html", missions=missions, totals=totals, **_helpers()))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get(f"{PUBLIC}/<slug>")
def summary(slug: str):
    mission = _public_mission_or_404(slug)
    response = current_app.make_response(render_template(
        "missions/summary.html", mission=mission, summary=services.summary(db.session, mission),
        over=mission.is_over(today_jakarta()), csv_open=_csv_open(mission), **_helpers()))
    response.headers["Cache-Control"] = "no-cache"
    return response


def _poll_ms() -> int:
    return int(current_app.config.get("MISSION_TALLY_POLL_MS", DEFAULT_TALLY_POLL_MS))


@bp.get(f"{PUBLIC}/<slug>/tally")
def tally(slug: str):
    mission = _public_mission_or_404(slug)
    figures = services.tally(db.session, mission)
    return _no_store(current_app.make_response(render_template(
        "missions/tally.html", mission=mission, figures=figures, poll_ms=_poll_ms(),
        over=mission.is_over(today_jakarta()), **_helpers())))


@bp.get(f"{PUBLIC}/<slug>/tally.json")
def tally_json(slug: str):
    mission = _public_mission_or_404(slug)
    body = services.tally_json(services.tally(db.session, mission))
    body["updated_at"] = when(utcnow())
    body["over"] = mission.is_over(today_jakarta())
    return _no_store(jsonify(body))


CSV_HEADERS = ["id", "waktu_wib", "jenis", "produsen", "kabupaten_kota_produsen", "mitra", "kota_mitra",
               "sektor_mitra", "komoditas", "jumlah", "satuan", "nilai_rp", "koreksi_atas"]


@bp.get(f"{PUBLIC}/<slug>/transaksi.csv")
def deals_csv(slug: str):
    mission = _public_mission_or_404(slug)
    if not _csv_open(mission):
        abort(404)
    rows: list[list] = [CSV_HEADERS]
    for deal in services.csv_rows(db.session, mission):
        rows.append([
            deal.id, services.utc_to_local(deal.occurred_at).strftime("%Y-%m-%d %H:%M"),
            str(DEAL_KIND_LABELS[deal.kind]), deal.producer.name, deal.producer.region.display_name,
            deal.partner.name, deal.partner.city, deal.partner.sector, deal.commodity,
            deal.quantity if deal.quantity is not None else "", deal.unit, deal.value,
            deal.replaces_id if deal.replaces_id is not None else "",
        ])
    return _no_store(csv_download(rows, f"misi-dagang-{mission.slug}-transaksi.csv"))
