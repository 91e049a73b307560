"""The CIO's status page and the staff's institution overview. Thin views; every one asks
access.get_institution_for_user (or an access check) before it touches an institution."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, tokens
from accounts.models import ApiToken, AuditEvent
from institutions import access, actions, exports, imports, queries
from institutions.forms import AnswerForm, ConfirmForm, ImportForm, ReviewForm
from institutions.models import Answer
from institutions.validation import is_answerable
from roadmap.lib import jobs
from rounds.queries import lock_for, round_banners, unlocked_targets
from themes.models import SectorTarget, Theme

# Pages with an institution's own data are private: never cached by browsers or proxies.
private = never_cache


def _answerable_target(code: str) -> SectorTarget:
    target = SectorTarget.objects.filter(code=code).first()
    if target is None or not is_answerable(target):
        raise Http404("Onbekend of niet in te vullen sectordoel")
    return target


def _form_prefix(theme_code: str, target: SectorTarget) -> str:
    """Unique field ids per row: one target can stand under two themes on the same page."""
    return f"{theme_code or 'doel'}-{target.code}"


def _row_context(request, institution, target, *, theme_code: str, form=None, conflict=None):
    return {
        "institution": institution,
        "row": queries.target_row(institution, target),
        "theme_code": theme_code,
        "form": form,
        "conflict": conflict,
        "can_edit": access.can_edit(request.user, institution),
        "can_review": access.can_review(request.user),
    }


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where a person lands after logging in: their institution, or for staff and the council
    the overview of all institutions (the header names it accordingly: institutions.navigation)."""
    if access.sees_all_institutions(request.user):
        return redirect("institutions:overview")
    institutions = list(access.visible_institutions(request.user))
    if len(institutions) == 1:
        return redirect(institutions[0].get_absolute_url())
    for institution in institutions:  # the current reporting round of each
        institution.round_banners = round_banners(institution)
    return render(request, "institutions/institution_choose.html", {"institutions": institutions})


@require_GET
@login_required
@private
def overview(request: HttpRequest) -> HttpResponse:
    if not access.sees_all_institutions(request.user):
        raise PermissionDenied(
            _(
                "Het overzicht van alle instellingen is voor de sectorstaf en de MBO Raad. "
                "De gegevens van uw eigen instelling staan op haar statuspagina."
            )
        )
    return render(
        request,
        "institutions/institution_overview.html",
        {
            "institutions": queries.institutions_overview(
                access.visible_institutions(request.user)
            ),
            "stale_before": queries.stale_before(),
            "target_count": queries.answerable_targets().count(),
            "today": timezone.localdate(),
        },
    )


@require_GET
@login_required
@private
def status(request: HttpRequest, code: str) -> HttpResponse:
    institution = access.get_institution_for_user(request, code)
    return render(
        request,
        "institutions/institution_status.html",
        {
            "institution": institution,
            "groups": queries.status_page(institution),
            "can_edit": access.editable_institutions(request.user)
            .filter(pk=institution.pk)
            .exists(),
            "can_review": access.can_review(request.user),
            "import_form": ImportForm(),
            "round_banners": round_banners(institution),
        },
    )


@require_GET
@login_required
@private
def answer_row(request: HttpRequest, code: str, target_code: str) -> HttpResponse:
    """One target's row (htmx: cancel an edit); without htmx, the status page."""
    institution = access.get_institution_for_user(request, code)
    target = _answerable_target(target_code)
    if not request.htmx:
        return redirect(institution.get_absolute_url())
    context = _row_context(request, institution, target, theme_code=request.GET.get("theme", ""))
    context["refocus"] = True  # back from the form: focus returns to the row's edit link
    return render(request, "institutions/_target_row.html", context)


@require_http_methods(["GET", "POST"])
@login_required
@private
def answer_edit(request: HttpRequest, code: str, target_code: str) -> HttpResponse:
    institution = access.get_institution_for_user(request, code, write=True)
    target = _answerable_target(target_code)
    theme_code = request.GET.get("theme") or request.POST.get("theme", "")
    template = "institutions/_target_row.html" if request.htmx else "institutions/answer_edit.html"

    if request.method == "GET":
        latest = queries.latest_answer(institution, target)
        initial = {
            "version": queries.answer_version(institution, target),
            "applies_on": timezone.localdate(),
        }
        if latest:
            initial.update(
                value=latest.value if latest.status else str(latest.value).replace(".", ","),
                explanation=latest.explanation,
                evidence_url=latest.evidence_url,
            )
        form = AnswerForm(initial=initial, target=target, prefix=_form_prefix(theme_code, target))
        return render(
            request,
            template,
            _row_context(request, institution, target, theme_code=theme_code, form=form),
        )

    prefix = _form_prefix(theme_code, target)
    form = AnswerForm(request.POST, target=target, prefix=prefix)
    if form.is_valid() and (lock := lock_for(institution, target, form.cleaned_data["applies_on"])):
        form.add_error("applies_on", lock.message)  # a closed or approved reporting round
    if not form.is_valid():
        context = _row_context(request, institution, target, theme_code=theme_code, form=form)
        return render(request, template, context, status=422 if not request.htmx else 200)
    try:
        with jobs.noting_failed_enqueues() as not_enqueued:
            actions.do_save_answer(
                institution=institution,
                target=target,
                answer=form.answer_value(),
                user=request.user,
                based_on_version=form.cleaned_data["version"],
            )
    except actions.AnswerConflict as conflict:
        # Refuse and show what the other person saved; the form now carries the new version,
        # so saving again is a deliberate choice to replace their answer.
        data = request.POST.copy()
        data[f"{prefix}-version"] = conflict.version
        form = AnswerForm(data, target=target, prefix=prefix)
        form.is_valid()
        context = _row_context(
            request, institution, target, theme_code=theme_code, form=form, conflict=conflict
        )
        return render(request, template, context, status=200 if request.htmx else 409)
    if not_enqueued:  # the broker is down: the answer is safe, the figures follow later
        messages.info(request, _("Uw antwoord is bewaard. De cijfers worden later bijgewerkt."))
    if request.htmx:
        context = _row_context(request, institution, target, theme_code=theme_code)
        context["just_saved"] = True
        return render(request, template, context)
    messages.success(request, _("Antwoord op %(code)s opgeslagen.") % {"code": target.code})
    return redirect(f"{institution.get_absolute_url()}#target-{theme_code}-{target.code}")


@require_GET
@login_required
@private
def answer_history(request: HttpRequest, code: str, target_code: str) -> HttpResponse:
    institution = access.get_institution_for_user(request, code)
    target = _answerable_target(target_code)
    context = {
        "institution": institution,
        "target": target,
        "answers": queries.answer_history(institution, target),
        "can_review": access.can_review(request.user),
        "review_form": ReviewForm(),
    }
    template = "institutions/answer_history.html"
    if request.htmx:
        template += "#timeline"
    return render(request, template, context)


@require_POST
@login_required
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    institution = access.get_institution_for_user(request, code, write=True)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        raise Http404
    targets = queries.answerable_targets()
    if theme_code := form.cleaned_data["theme"]:
        theme = get_object_or_404(Theme, code=theme_code)
        targets = targets.filter(themes=theme)
    targets = unlocked_targets(institution, targets, timezone.localdate())  # reporting rounds
    confirmed = actions.do_confirm_answers(
        institution=institution, targets=targets, user=request.user
    )
    messages.success(
        request,
        _("%(count)d antwoorden bevestigd als nog steeds geldig op vandaag.")
        % {"count": len(confirmed)},
    )
    return redirect(institution.get_absolute_url())


@require_POST
@login_required
@private
def import_file(request: HttpRequest, code: str) -> HttpResponse:
    institution = access.get_institution_for_user(request, code, write=True)
    form = ImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        upload = form.cleaned_data["file"]  # the form has refused an oversized file
        with jobs.noting_failed_enqueues() as not_enqueued:
            outcome = imports.import_answers(
                upload.read(), upload.name, user=request.user, for_institution=institution
            )
        audit.record(
            AuditEvent.Kind.IMPORT,
            request=request,
            institution=institution,
            detail=audit.import_detail(upload.name, outcome.saved, outcome.errors),
        )
        if outcome.errors:
            errors = [str(error) for error in outcome.errors]
        else:
            messages.success(
                request, _("%(count)d antwoorden ingelezen.") % {"count": outcome.saved}
            )
            if not_enqueued:
                messages.info(
                    request,
                    _("Uw antwoorden zijn bewaard. De cijfers worden later bijgewerkt."),
                )
            return redirect(institution.get_absolute_url())
    return render(
        request,
        "institutions/import_result.html",
        {"institution": institution, "form": form, "errors": errors},
        status=422,
    )


@require_GET
@login_required
@private
def export_answers(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    institution = access.get_institution_for_user(request, code)
    if file_format == "csv":
        content, content_type = exports.answers_csv(institution), "text/csv; charset=utf-8"
    else:
        content = exports.answers_xlsx(institution)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    filename = f"antwoorden-{institution.code}.{file_format}"
    audit.record(AuditEvent.Kind.EXPORT, request=request, institution=institution, detail=filename)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@login_required
def review(request: HttpRequest, code: str, answer_id: int) -> HttpResponse:
    institution = access.get_institution_for_user(request, code)
    if not access.can_review(request.user):
        raise PermissionDenied
    answer = get_object_or_404(Answer, pk=answer_id, institution=institution)
    form = ReviewForm(request.POST)
    if form.is_valid():
        actions.do_review_answer(
            answer=answer,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            reviewer=request.user,
        )
        messages.success(request, _("Beoordeling opgeslagen."))
    else:
        for error in form.errors.get("comment", []) + form.errors.get("decision", []):
            messages.error(request, error)
    return redirect(
        reverse("institutions:answer-history", args=[institution.code, answer.target.code])
    )


@require_http_methods(["GET", "POST"])
@login_required
@private
def api_token(request: HttpRequest) -> HttpResponse:
    """An editor's token for the answers API. A new token replaces the old one and is shown
    once; a lost token is replaced, not shown again."""
    if not access.editable_institutions(request.user).exists():
        raise PermissionDenied
    new_key = None
    if request.method == "POST":
        new_key = tokens.issue_api_token(request.user)
        audit.record(AuditEvent.Kind.API_TOKEN_CREATED, request=request)
    has_token = ApiToken.objects.filter(user=request.user).exists()
    return render(
        request,
        "institutions/api_token.html",
        {
            "new_key": new_key,
            "has_token": has_token,
            "institutions": access.editable_institutions(request.user),
        },
    )
