"""Making, following and downloading progress reports ("Mijn rapportages"); the council's
assembly packs: asking for one, following it and downloading it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit
from institutions import access
from reports import actions, assembly
from reports.forms import AssemblyPackForm, ReportForm
from reports.models import AssemblyPack, Report


def _report_for_user(request: HttpRequest, report_id: int) -> Report:
    """A report its maker may see; sector reports also the council and staff; an institution's
    report also everyone who may see that institution. Others get 404."""
    report = get_object_or_404(
        Report.objects.select_related("institution", "created_by"), pk=report_id
    )
    user = request.user
    if report.created_by_id == user.pk:
        return report
    if report.institution_id is None and access.sees_all_institutions(user):
        return report
    if (
        report.institution_id
        and access.visible_institutions(user).filter(pk=report.institution_id).exists()
    ):
        return report
    raise Http404("Onbekende rapportage")


def _form(request: HttpRequest, data=None) -> ReportForm:
    return ReportForm(
        data,
        institutions=list(access.visible_institutions(request.user).order_by("name")),
        sector_allowed=access.sees_all_institutions(request.user),
    )


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def report_list(request: HttpRequest) -> HttpResponse:
    """Mijn rapportages: the person's reports, and the form for a new one."""
    if (
        not access.sees_all_institutions(request.user)
        and not access.visible_institutions(request.user).exists()
    ):
        raise PermissionDenied
    form = _form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = actions.do_request_report(
            user=request.user,
            file_format=data["format"],
            as_of=data["as_of"],
            compare_to=data.get("compare_to"),
            theme_codes=[t.code for t in data["themes"]],
            layer_code=data["layer"].code if data.get("layer") else "",
            institution=data["institution_obj"],
            language=translation.get_language() or "nl",
        )
        return redirect(report)
    reports = Report.objects.filter(created_by=request.user).select_related("institution")[:50]
    return render(
        request,
        "reports/report_list.html",
        {
            "form": form,
            "reports": reports,
            # The council and staff take assembly packs too: this is where they look for them.
            "sees_assembly_packs": _sees_assembly_packs(request.user),
        },
        status=422 if request.method == "POST" else 200,
    )


@require_GET
@login_required
@never_cache
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_for_user(request, report_id)
    template = "reports/report_detail.html"
    if request.htmx:
        template += "#report-progress"  # the polling fragment
    return render(request, template, {"report": report})


@require_POST
@login_required
def report_retry(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_for_user(request, report_id)
    if report.created_by_id != request.user.pk or report.state != Report.State.FAILED:
        raise PermissionDenied
    actions.do_retry_report(report=report)
    return redirect(report)


@require_GET
@login_required
@never_cache
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    report = _report_for_user(request, report_id)
    if report.state != Report.State.DONE or not report.file:
        raise Http404("Deze rapportage is (nog) niet klaar")
    filename = report.filename()
    audit.record(
        audit.Kind.EXPORT, request=request, institution=report.institution, detail=filename
    )
    return FileResponse(report.file.open("rb"), as_attachment=True, filename=filename)


# --- The assembly pack: the council and sector staff ------------------------------------------


def _sees_assembly_packs(user) -> bool:
    return access.is_sector_staff(user) or access.is_council(user)


def _council_or_staff(request: HttpRequest) -> None:
    if not _sees_assembly_packs(request.user):
        raise PermissionDenied(_("De vergaderstukken zijn voor de MBO Raad en de sectorstaf."))


def _pack(request: HttpRequest, round_id: int) -> AssemblyPack:
    _council_or_staff(request)
    return get_object_or_404(
        AssemblyPack.objects.select_related("round", "requested_by"), round_id=round_id
    )


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def assembly_list(request: HttpRequest) -> HttpResponse:
    """The packs of every assembly, and the form to freeze the figures of a closed round."""
    _council_or_staff(request)
    form = AssemblyPackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round = form.cleaned_data["round"]
        try:
            pack = actions.do_request_assembly_pack(round=round, user=request.user)
        except assembly.AssemblyError as error:
            form.add_error("round", str(error))
        else:
            messages.success(
                request,
                _(
                    "De cijfers van ronde '%(name)s' worden bevroren; het vergaderstuk komt "
                    "op deze pagina."
                )
                % {"name": round.name},
            )
            return redirect(pack)
    packs = AssemblyPack.objects.select_related("round", "requested_by")
    return render(
        request,
        "reports/assembly_list.html",
        {"form": form, "packs": packs, "can_freeze": form.fields["round"].queryset.exists()},
        status=422 if request.method == "POST" else 200,
    )


@require_GET
@login_required
@never_cache
def assembly_pack(request: HttpRequest, round_id: int) -> HttpResponse:
    pack = _pack(request, round_id)
    template = "reports/assembly_pack.html"
    if request.htmx:
        template += "#pack-state"  # the polling fragment while the pack is being made
    context = assembly.pack_view(pack) if pack.state == AssemblyPack.State.DONE else {"pack": pack}
    context.setdefault("round", pack.round)
    return render(request, template, context)


PACK_FILES = {"pdf": "pdf", "xlsx": "xlsx"}


@require_GET
@login_required
@never_cache
def assembly_download(request: HttpRequest, round_id: int, extension: str) -> FileResponse:
    pack = _pack(request, round_id)
    if extension not in PACK_FILES:
        raise Http404("Onbekend bestandsformaat")
    stored = getattr(pack, PACK_FILES[extension])
    if pack.state != AssemblyPack.State.DONE or not stored:
        raise Http404("Dit vergaderstuk is (nog) niet klaar")
    filename = pack.filename(extension)
    audit.record(audit.Kind.EXPORT, request=request, detail=filename)
    # In the reader's language; the frozen figures are the same in every language.
    content = assembly.pack_file(pack, PACK_FILES[extension], translation.get_language())
    return FileResponse(content, as_attachment=True, filename=filename)
