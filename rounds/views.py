"""Staff pages of the reporting rounds: create, open, close, the reporting rate, and per
institution review, reopening and reminders. Thin views; every one asks _staff_only first."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institutions import access
from institutions.models import Institution
from rounds import actions, queries, reminders
from rounds.forms import FiguresUseForm, ReopenForm, RoundForm, RoundReviewForm
from rounds.models import ReminderSent, Round, RoundReview

RECENT_REMINDERS = 50
INSTITUTION_TEMPLATE = "rounds/round_institution.html"


def _staff_only(request: HttpRequest) -> None:
    if not access.is_sector_staff(request.user):
        raise PermissionDenied(_("De rapportagerondes zijn voor de sectorstaf."))


def _round(request: HttpRequest, round_id: int) -> Round:
    _staff_only(request)
    # With its pack, if any (the round page shows it; one query for both).
    return get_object_or_404(Round.objects.select_related("assembly_pack"), pk=round_id)


def _institution(round: Round, code: str) -> Institution:
    return get_object_or_404(queries.expected_institutions(round), code=code)


@require_GET
@login_required
@never_cache
def round_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    rounds = Round.objects.prefetch_related("targets")
    return render(request, "rounds/round_list.html", {"rounds": rounds})


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def round_create(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            round = actions.do_create_round(
                name=data["name"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                assembly_on=data["assembly_on"],
                targets=data["targets"],
                figures_use=data["figures_use"],
                user=request.user,
            )
            messages.success(request, _("Ronde '%(name)s' aangemaakt.") % {"name": round.name})
            return redirect(round.get_absolute_url())
        return render(request, "rounds/round_form.html", {"form": form}, status=422)
    return render(request, "rounds/round_form.html", {"form": form})


def _detail_context(round: Round, figures_use_form: FiguresUseForm | None = None) -> dict:
    reviews = queries.latest_reviews(round)
    complete = list(queries.complete_institutions(round))
    for institution in complete:
        institution.round_review = reviews.get(institution.pk)
    return {
        "round": round,
        "target_count": round.targets.count(),
        "reminder_days": settings.ROUND_REMINDER_DAYS_BEFORE,
        "rate": queries.reporting_rate(round),
        "incomplete": queries.incomplete_institutions(round),
        "complete": complete,
        "reminders": ReminderSent.objects.filter(round=round).select_related("institution")[
            :RECENT_REMINDERS
        ],
        # A reverse one-to-one without a row raises an AttributeError subclass: None then.
        "pack": getattr(round, "assembly_pack", None),
        "figures_use_form": figures_use_form
        or FiguresUseForm(initial={"figures_use": round.figures_use}),
    }


@require_GET
@login_required
@never_cache
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    return render(request, "rounds/round_detail.html", _detail_context(round))


def _refused(request: HttpRequest, error: Exception, template: str, context: dict) -> HttpResponse:
    """An action the round's state does not allow now (409), with the reason on the page."""
    messages.error(request, str(error))
    return render(request, template, context, status=409)


@require_POST
@login_required
def round_open(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    try:
        actions.do_open_round(round=round, user=request.user)
    except actions.RoundActionError as error:
        return _refused(request, error, "rounds/round_detail.html", _detail_context(round))
    messages.success(request, _("De ronde is geopend."))
    return redirect(round.get_absolute_url())


@require_POST
@login_required
def round_close(request: HttpRequest, round_id: int) -> HttpResponse:
    round = _round(request, round_id)
    try:
        actions.do_close_round(round=round, user=request.user)
    except actions.RoundActionError as error:
        return _refused(request, error, "rounds/round_detail.html", _detail_context(round))
    messages.success(
        request, _("De ronde is gesloten: antwoorden met een datum in de ronde liggen nu vast.")
    )
    return redirect(round.get_absolute_url())


def _institution_context(round: Round, institution: Institution, **forms) -> dict:
    review = queries.latest_review(round, institution)
    return {
        "round": round,
        "institution": institution,
        "targets": queries.target_states(round, institution),
        "completeness": queries.completeness(round, institution),
        "review": review,
        "changed_since_approval": review is not None
        and review.decision == RoundReview.Decision.APPROVED
        and queries.changed_since_approval(round, institution, review),
        "reviews": RoundReview.objects.filter(round=round, institution=institution).select_related(
            "reviewed_by"
        ),
        "reopening": queries.open_reopening(round, institution),
        "lockable": round.is_closed
        or (review is not None and review.decision == RoundReview.Decision.APPROVED),
        "reminders": ReminderSent.objects.filter(round=round, institution=institution),
        "review_form": forms.get("review_form") or RoundReviewForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
    }


@require_GET
@login_required
@never_cache
def round_institution(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    round = _round(request, round_id)
    institution = _institution(round, code)
    return render(request, INSTITUTION_TEMPLATE, _institution_context(round, institution))


def _back_to(round: Round, institution: Institution) -> HttpResponse:
    return redirect("rounds:institution", round.pk, institution.code)


@require_POST
@login_required
def review(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    round = _round(request, round_id)
    institution = _institution(round, code)
    form = RoundReviewForm(request.POST)
    if form.is_valid():
        try:
            saved = actions.do_review_round(
                round=round,
                institution=institution,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                user=request.user,
            )
        except actions.RoundActionError as error:
            context = _institution_context(round, institution, review_form=form)
            return _refused(request, error, INSTITUTION_TEMPLATE, context)
        if saved.decision == RoundReview.Decision.APPROVED:
            messages.success(
                request,
                _("Goedgekeurd: de antwoorden van %(name)s in deze ronde liggen nu vast.")
                % {"name": institution.name},
            )
        else:
            messages.success(request, _("Teruggestuurd met uw opmerking."))
        return _back_to(round, institution)
    context = _institution_context(round, institution, review_form=form)
    return render(request, INSTITUTION_TEMPLATE, context, status=422)


@require_POST
@login_required
def reopen(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    round = _round(request, round_id)
    institution = _institution(round, code)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.do_reopen_for_institution(
                round=round,
                institution=institution,
                reason=form.cleaned_data["reason"],
                user=request.user,
                request=request,
            )
        except actions.RoundActionError as error:
            context = _institution_context(round, institution, reopen_form=form)
            return _refused(request, error, INSTITUTION_TEMPLATE, context)
        messages.success(
            request, _("De ronde is heropend voor %(name)s.") % {"name": institution.name}
        )
        return _back_to(round, institution)
    context = _institution_context(round, institution, reopen_form=form)
    return render(request, INSTITUTION_TEMPLATE, context, status=422)


@require_POST
@login_required
def end_reopening(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    round = _round(request, round_id)
    institution = _institution(round, code)
    try:
        actions.do_end_reopening(
            round=round, institution=institution, user=request.user, request=request
        )
    except actions.RoundActionError as error:
        context = _institution_context(round, institution)
        return _refused(request, error, INSTITUTION_TEMPLATE, context)
    messages.success(request, _("De heropening is gesloten."))
    return _back_to(round, institution)


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def reminder(request: HttpRequest, round_id: int, code: str) -> HttpResponse:
    """GET: the reminder as it would go out now; POST: send it."""
    round = _round(request, round_id)
    institution = _institution(round, code)
    state = queries.completeness(round, institution)
    if request.method == "POST":
        refusal = None
        if state.complete:
            refusal = _("%(name)s heeft de ronde compleet; er gaat geen herinnering uit.")
        elif not queries.reminder_recipients(institution):
            refusal = _(
                "%(name)s heeft geen invullers met een e-mailadres; er gaat geen herinnering uit."
            )
        if refusal:
            error = actions.RoundActionError(refusal % {"name": institution.name})
            context = _institution_context(round, institution)
            return _refused(request, error, INSTITUTION_TEMPLATE, context)
        sent = reminders.send_reminder(round, institution, user=request.user)
        if sent.status == ReminderSent.Status.SENT:
            messages.success(
                request,
                _("Herinnering verstuurd aan %(recipients)s.")
                % {"recipients": ", ".join(sent.recipient_list)},
            )
        else:
            messages.error(
                request,
                _(
                    "De herinnering is niet verstuurd (%(error)s); "
                    "de server probeert het later opnieuw."
                )
                % {"error": sent.error},
            )
        return _back_to(round, institution)
    return render(
        request,
        "rounds/reminder_preview.html",
        {
            "round": round,
            "institution": institution,
            "completeness": state,
            "mails": reminders.compose_for_preview(round, institution),
        },
    )


@require_POST
@login_required
def figures_use(request: HttpRequest, round_id: int) -> HttpResponse:
    """Staff choose whether the round's assembly pack uses all or approved answers only."""
    round = _round(request, round_id)
    form = FiguresUseForm(request.POST)
    if not form.is_valid():
        context = _detail_context(round, figures_use_form=form)
        return render(request, "rounds/round_detail.html", context, status=422)
    try:
        actions.do_set_figures_use(round=round, figures_use=form.cleaned_data["figures_use"])
    except actions.RoundActionError as error:
        context = _detail_context(round, figures_use_form=form)
        return _refused(request, error, "rounds/round_detail.html", context)
    messages.success(request, round.figures_basis + ".")
    return redirect(round.get_absolute_url())
