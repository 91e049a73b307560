"""Token-authenticated API for institutions that keep their answers in their own systems.

Same validation and permission rules as the status page: a token acts as its person, who can
only read the institutions they may see and only write for those they edit.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from institutions import access, actions, queries, validation
from institutions.models import Answer, Institution
from institutions.tokens import HashedTokenAuthentication
from roadmap.lib.text import holds_nul
from themes.api import NOT_FOUND, ErrorSerializer
from themes.models import SectorTarget


class AnswerSerializer(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code", read_only=True)
    target = serializers.CharField(source="target.code", read_only=True)
    value = serializers.SerializerMethodField()
    entered_by = serializers.CharField(source="entered_by_name", read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id", "institution", "target", "value", "applies_on", "explanation", "evidence_url",
            "entered_at", "entered_by", "source",
        ]  # fmt: skip

    def get_value(self, answer: Answer) -> str:
        return str(answer.value)


class AnswerInputSerializer(serializers.Serializer):
    target = serializers.CharField(help_text="Target code, e.g. LZD-WALLET")
    value = serializers.CharField(
        help_text="niet_gestart, gepland, in_uitvoering, gerealiseerd, or a number"
    )
    applies_on = serializers.DateField(
        required=False,
        help_text="ISO date; default today",
        # The same words as the file import: DRF's own message half-translates "Date".
        error_messages={"invalid": "Dit is geen datum in de vorm JJJJ-MM-DD, bv. 2025-03-31."},
    )
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text=(
            "The version you last read; when given, a save on top of a newer answer is "
            "refused with 409."
        ),
    )

    def validate(self, data):
        target = SectorTarget.objects.filter(code=data["target"]).first()
        if target is None or not validation.is_answerable(target):
            raise serializers.ValidationError(
                {"target": "Onbekend of niet in te vullen sectordoel."}
            )
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
        if errors:
            raise serializers.ValidationError(errors)
        return {**data, **cleaned, "target": target}


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
INVALID_ANSWER = OpenApiResponse(
    OpenApiTypes.OBJECT, description="Per field, the list of what is wrong with it"
)
CONFLICT = OpenApiResponse(
    inline_serializer(
        "AnswerConflict",
        {
            "detail": serializers.CharField(),
            "current": AnswerSerializer(allow_null=True),
            "version": serializers.IntegerField(),
        },
    ),
    description="Someone saved a newer answer since the version you sent",
)


@extend_schema(
    methods=["GET"],
    summary="The institution's current answer per target",
    responses={200: AnswerSerializer(many=True), 401: NOT_LOGGED_IN, 404: NOT_FOUND},
)
@extend_schema(
    methods=["POST"],
    summary="Add an answer (append-only)",
    request=AnswerInputSerializer,
    responses={
        201: AnswerSerializer,
        400: INVALID_ANSWER,
        401: NOT_LOGGED_IN,
        403: NOT_AN_EDITOR,
        404: NOT_FOUND,
        409: CONFLICT,
    },
    examples=[
        OpenApiExample(
            "A status",
            value={"target": "LZD-WALLET", "value": "gepland", "explanation": "Pilot loopt."},
            request_only=True,
        ),
        OpenApiExample(
            "A score", value={"target": "CYB-NBA-GEMIDDELD", "value": "2.5"}, request_only=True
        ),
    ],
)
@api_view(["GET", "POST"])
@authentication_classes([HashedTokenAuthentication, SessionAuthentication])
@permission_classes([IsAuthenticated])
def institution_answers(request: Request, code: str) -> Response:
    if request.method == "GET":
        institution = _institution(request, code, write=False)
        latest = queries.latest_answers_as_of(Institution.objects.filter(pk=institution.pk))
        rows = latest.select_related("institution", "target", "entered_by").order_by("target__code")
        return Response(AnswerSerializer(rows, many=True).data)

    institution = _institution(request, code, write=True)
    serializer = AnswerInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    target = data["target"]
    based_on = data.get("version")
    if based_on is None:
        based_on = queries.answer_version(institution, target)
    try:
        answer = actions.do_save_answer(
            institution=institution,
            target=target,
            answer=actions.AnswerValue(
                value=data["value"],
                applies_on=data["applies_on"],
                explanation=data.get("explanation", "").strip(),
                evidence_url=data["evidence_url"],
            ),
            user=request.user,
            based_on_version=based_on,
            source=Answer.Source.API,
        )
    except actions.AnswerConflict as conflict:
        current = AnswerSerializer(conflict.latest).data if conflict.latest else None
        return Response(
            {
                "detail": "Iemand anders heeft dit antwoord intussen gewijzigd.",
                "current": current,
                "version": conflict.version,
            },
            status=status.HTTP_409_CONFLICT,
        )
    return Response(AnswerSerializer(answer).data, status=status.HTTP_201_CREATED)
