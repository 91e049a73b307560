"""Token-authenticated API for institutions that keep their answers in their own systems.

Same validation and permission rules as the status page: a token acts as its person, who can
only read the institutions they may see and only write for those they edit. A write names the
version of the answer it is based on (0 for a target not answered yet), so that it never lands
silently on top of an answer the client has not seen. A batch (a JSON list) is saved whole or
not at all.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
)
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.tokens import HashedTokenAuthentication
from institutions import access, actions, queries, validation
from institutions.models import Answer, AnswerSlot, Institution
from roadmap.lib.parsers import JSONParser
from roadmap.lib.text import holds_nul
from rounds.queries import LockChecker
from themes.api import NOT_FOUND, ErrorSerializer
from themes.models import SectorTarget

# A batch is checked and saved in one request; more than this belongs in a file import.
MAX_BATCH_ITEMS = 100


class AnswerSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code", read_only=True)
    target = serializers.CharField(source="target.code", read_only=True)
    value = serializers.SerializerMethodField()
    entered_by = serializers.CharField(source="entered_by_name", read_only=True)
    version = serializers.SerializerMethodField(
        help_text="The version to send with your next answer to this target"
    )

    class Meta:
        model = Answer
        fields = [
            "id", "institution", "target", "value", "applies_on", "explanation", "evidence_url",
            "entered_at", "entered_by", "source", "version",
        ]  # fmt: skip

    def get_value(self, answer: Answer) -> str:
        return str(answer.value)

    def get_version(self, answer: Answer) -> int:
        return self.context.get("versions", {}).get(answer.target_id, 0)


def _versions(institution: Institution) -> dict[int, int]:
    """The institution's version counter per target id, in one query."""
    return dict(
        AnswerSlot.objects.filter(institution=institution).values_list("target_id", "version")
    )


class AnswerInputSerializer(serializers.Serializer):
    target = serializers.CharField(help_text="Target code, e.g. LZD-WALLET")
    value = serializers.CharField(
        help_text="niet_gestart, gepland, in_uitvoering, gerealiseerd, or a number"
    )
    applies_on = serializers.DateField(
        required=False,
        help_text=(
            "ISO date; default today. Not in the future, at most ANSWER_MAX_BACKDATE_DAYS "
            "(default 366) days back and not before the route's start (2026-01-01)."
        ),
        # The same words as the file import: DRF's own message half-translates "Date".
        error_messages={"invalid": "Dit is geen datum in de vorm JJJJ-MM-DD, bv. 2025-03-31."},
    )
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(
        min_value=0,
        help_text=(
            "Required: the version of this target's answer you last read (the `version` of the "
            "GET list; 0 when the institution has no answer to it yet). A save on top of a "
            "newer answer is refused with 409 and the current answer."
        ),
        error_messages={
            "required": gettext_lazy(
                "Geef de versie mee van het antwoord dat u het laatst las (het veld version in "
                "de lijst; 0 als er voor dit doel nog geen antwoord is)."
            )
        },
    )

    def validate(self, data):
        targets = self.context.get("targets")
        if targets is not None:
            target = targets.get(data["target"])
        else:
            target = SectorTarget.objects.filter(code=data["target"]).first()
        if target is None or not validation.is_answerable(target):
            raise serializers.ValidationError(
                {"target": "Onbekend of niet in te vullen sectordoel."}
            )
        institution = self.context.get("institution")
        errors, cleaned = {}, {}
        for name, clean in (
            ("value", lambda: validation.clean_value(target, data["value"])),
            ("applies_on", lambda: validation.clean_applies_on(data.get("applies_on"))),
            ("evidence_url", lambda: validation.clean_evidence_url(data.get("evidence_url"))),
        ):
            try:
                cleaned[name] = clean()
            except DjangoValidationError as exc:
                errors[name] = exc.messages
        if institution is not None and "applies_on" in cleaned:
            try:
                validation.check_active(institution, cleaned["applies_on"])
            except DjangoValidationError as exc:
                errors["applies_on"] = exc.messages
        if institution is not None and "applies_on" not in errors and "applies_on" in cleaned:
            locks = self.context.get("locks") or LockChecker([institution])
            if lock := locks.lock_for(institution, target, cleaned["applies_on"]):
                errors["applies_on"] = [lock.message]  # a closed or approved reporting round
        if errors:
            raise serializers.ValidationError(errors)
        return {**data, **cleaned, "target": target}

    def answer_value(self) -> actions.AnswerValue:
        data = self.validated_data
        return actions.AnswerValue(
            value=data["value"],
            applies_on=data["applies_on"],
            explanation=data.get("explanation", "").strip(),
            evidence_url=data["evidence_url"],
        )


def _institution(request: Request, code: str, *, write: bool) -> Institution:
    institution = (
        None
        if holds_nul(code)
        else access.visible_institutions(request.user).filter(code=code).first()
    )
    if institution is None:
        raise NotFound("Onbekende instelling")
    if write and not access.can_edit(request.user, institution):
        raise PermissionDenied("U mag de antwoorden van deze instelling niet wijzigen.")
    return institution


NOT_LOGGED_IN = OpenApiResponse(ErrorSerializer, description="No or an unknown token")
NOT_AN_EDITOR = OpenApiResponse(ErrorSerializer, description="The token's person may only read")
NOT_JSON = OpenApiResponse(ErrorSerializer, description="The body is not sent as JSON")
INVALID_ANSWER = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "One answer: per field, the list of what is wrong with it. A batch: `detail` and "
        "`errors`, a list of `{item, field, message}` (item: the position in the list, from 0). "
        "A body that is not valid JSON, or nested too deeply: `detail`. Nothing is saved."
    ),
)
CONFLICT = OpenApiResponse(
    inline_serializer(
        "AnswerConflict",
        {
            "detail": serializers.CharField(),
            "current": AnswerSerializer(allow_null=True),
            "version": serializers.IntegerField(),
            "item": serializers.IntegerField(
                required=False, help_text="In a batch: the position of the refused answer"
            ),
        },
    ),
    description="Someone saved a newer answer since the version you sent; nothing is saved",
)
ANSWER_OR_BATCH = PolymorphicProxySerializer(
    component_name="AnswerInputOrBatch",
    serializers=[AnswerInputSerializer, AnswerInputSerializer(many=True)],
    resource_type_field_name=None,
    many=False,  # the list variant is one of the two, not a list of the proxy
)
SAVED = PolymorphicProxySerializer(
    component_name="AnswerOrBatch",
    serializers=[AnswerSerializer, AnswerSerializer(many=True)],
    resource_type_field_name=None,
    many=False,  # the list variant is one of the two, not a list of the proxy
)


@extend_schema(
    methods=["GET"],
    summary="The institution's current answer per target, with its version",
    responses={200: AnswerSerializer(many=True), 401: NOT_LOGGED_IN, 404: NOT_FOUND},
)
@extend_schema(
    methods=["POST"],
    summary="Add an answer, or a batch of answers (a list), append-only",
    description=(
        "Every answer names the `version` it is based on. A list of up to "
        f"{MAX_BATCH_ITEMS} answers is saved whole or not at all; each target at most once."
    ),
    request=ANSWER_OR_BATCH,
    responses={
        201: SAVED,
        400: INVALID_ANSWER,
        401: NOT_LOGGED_IN,
        403: NOT_AN_EDITOR,
        404: NOT_FOUND,
        409: CONFLICT,
        415: NOT_JSON,
    },
    examples=[
        OpenApiExample(
            "A status",
            value={
                "target": "LZD-WALLET",
                "value": "gepland",
                "explanation": "Pilot loopt.",
                "version": 0,
            },
            request_only=True,
        ),
        OpenApiExample(
            "A score",
            value={"target": "CYB-NBA-GEMIDDELD", "value": "2.5", "version": 3},
            request_only=True,
        ),
        OpenApiExample(
            "A batch",
            value=[
                {"target": "LZD-WALLET", "value": "gerealiseerd", "version": 1},
                {"target": "DBO-EDU-V", "value": "45", "version": 0},
            ],
            request_only=True,
        ),
    ],
)
@api_view(["GET", "POST"])
@authentication_classes([HashedTokenAuthentication, SessionAuthentication])
@permission_classes([IsAuthenticated])
@parser_classes([JSONParser])
def institution_answers(request: Request, code: str) -> Response:
    if request.method == "GET":
        institution = _institution(request, code, write=False)
        latest = queries.latest_answers_as_of(Institution.objects.filter(pk=institution.pk))
        rows = latest.select_related("institution", "target", "entered_by").order_by("target__code")
        context = {"versions": _versions(institution)}
        return Response(AnswerSerializer(rows, many=True, context=context).data)

    institution = _institution(request, code, write=True)
    if isinstance(request.data, list):
        return _save_batch(request, institution)
    serializer = AnswerInputSerializer(data=request.data, context={"institution": institution})
    serializer.is_valid(raise_exception=True)
    items = [(serializer.validated_data["target"], serializer.answer_value(), serializer)]
    return _save(request, institution, items, batch=False)


def _save_batch(request: Request, institution: Institution) -> Response:
    """A list of answers: every item checked, every error named by item and field, and then
    all saved or none."""
    if not request.data or len(request.data) > MAX_BATCH_ITEMS:
        return Response(
            {
                "detail": _("Stuur 1 tot %(limit)d antwoorden per keer.")
                % {"limit": MAX_BATCH_ITEMS}
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    context = {
        "institution": institution,
        "targets": {target.code: target for target in SectorTarget.objects.all()},
        "locks": LockChecker([institution]),
    }
    errors, items, first_item_of = [], [], {}
    for index, item in enumerate(request.data):
        serializer = AnswerInputSerializer(data=item, context=context)
        if not serializer.is_valid():
            errors.extend(
                {"item": index, "field": field, "message": " ".join(map(str, messages))}
                for field, messages in serializer.errors.items()
            )
            continue
        target = serializer.validated_data["target"]
        if target.pk in first_item_of:
            # Each answer bumps its target's version, so a second one in the same batch would
            # always conflict with the first.
            errors.append(
                {
                    "item": index,
                    "field": "target",
                    "message": _(
                        "%(code)s staat al in item %(first)d; stuur per doel één antwoord per keer."
                    )
                    % {"code": target.code, "first": first_item_of[target.pk]},
                }
            )
            continue
        first_item_of[target.pk] = index
        items.append((target, serializer.answer_value(), serializer))
    if errors:
        for error in errors:
            error["message"] = _("item %(item)d, veld %(field)s: %(message)s") % error
        return Response(
            {
                "detail": _("Niets opgeslagen; %(count)d fout(en).") % {"count": len(errors)},
                "errors": errors,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return _save(request, institution, items, batch=True)


def _save(request: Request, institution: Institution, items, *, batch: bool) -> Response:
    try:
        answers = actions.do_save_answers(
            institution=institution,
            items=[
                (target, value, serializer.validated_data["version"])
                for target, value, serializer in items
            ],
            user=request.user,
            source=Answer.Source.API,
        )
    except actions.AnswerConflict as conflict:
        current = None
        if conflict.latest is not None:
            context = {"versions": {conflict.latest.target_id: conflict.version}}
            current = AnswerSerializer(conflict.latest, context=context).data
        body = {
            "detail": _("Iemand anders heeft dit antwoord intussen gewijzigd."),
            "current": current,
            "version": conflict.version,
        }
        if batch:
            body["item"] = conflict.item
        return Response(body, status=status.HTTP_409_CONFLICT)
    context = {"versions": _versions(institution)}
    data = AnswerSerializer(answers, many=True, context=context).data
    return Response(data if batch else data[0], status=status.HTTP_201_CREATED)
