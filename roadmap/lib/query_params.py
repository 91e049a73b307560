"""Query parameters of the open-data API, declared once for both their check and their schema.

Each view lists the parameters it reads. Before the view runs, every one of them that was sent
is checked: it must come once, and a number or a date must be one, within its bounds. Anything
else is a 400 whose JSON names each wrong parameter (``{"offset": "..."}``). The OpenAPI
schema is built from the same declarations, so what the schema allows the API accepts and what
it refuses the schema does not allow (the fuzz test in tests/hardening holds both to that).
Parameters a view does not declare (``format``, a stray ``page``) are left alone.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError


@dataclass(frozen=True)
class QueryParam:
    """One query parameter. ``kind`` is "str", "int", "date" or "choice"."""

    name: str
    kind: str = "str"
    description: str = ""
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    # Dates: the earliest day allowed; the latest is always today (no figures of the future).
    earliest: datetime.date | None = None

    def parse(self, raw: str):
        """The typed value of ``raw``, or ValueError with the message for the client."""
        if self.kind == "int":
            return self._parse_int(raw)
        if self.kind == "date":
            return self._parse_date(raw)
        if self.kind == "choice" and raw not in self.choices:
            raise ValueError(f"Use one of: {', '.join(self.choices)}.")
        return raw

    def _parse_int(self, raw: str) -> int:
        bounds = self._bounds_text()
        # ASCII digits only: int() would also take " 1", "+1", "1_000" and Arabic-Indic digits.
        digits = raw[1:] if raw.startswith("-") else raw
        if not (digits.isascii() and digits.isdigit()):
            raise ValueError(f"Use a whole number{bounds}.")
        try:
            value = int(raw)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise ValueError(f"Use a whole number{bounds}.") from None
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            raise ValueError(f"Use a whole number{bounds}.")
        return value

    def _bounds_text(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f" from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f" of {self.minimum} or more"
        if self.maximum is not None:
            return f" of {self.maximum} or less"
        return ""

    def _parse_date(self, raw: str) -> datetime.date:
        earliest = self.earliest.isoformat() if self.earliest else None
        span = f"from {earliest} up to today" if earliest else "up to today"
        message = f"Give a date {span} (YYYY-MM-DD)."
        # fromisoformat also reads 20260331 and 2026-W13-2; the schema promises YYYY-MM-DD only.
        if len(raw) != 10 or not raw.isascii() or raw[4] != "-" or raw[7] != "-":
            raise ValueError(f"Use an ISO date, YYYY-MM-DD. {message}")
        try:
            value = datetime.date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"Use an ISO date, YYYY-MM-DD. {message}") from None
        if (self.earliest and value < self.earliest) or value > timezone.localdate():
            raise ValueError(message)
        return value

    def openapi(self) -> OpenApiParameter:
        """The parameter for the schema, with the bounds the check applies (as of today)."""
        schema: dict = {"type": "string"}
        description = self.description
        if self.kind == "int":
            schema = {"type": "integer"}
            if self.minimum is not None:
                schema["minimum"] = self.minimum
            if self.maximum is not None:
                schema["maximum"] = self.maximum
        elif self.kind == "date":
            latest = timezone.localdate()
            schema = {"type": "string", "format": "date"}
            if self.earliest is not None:
                # JSON Schema has no minimum for dates; the pattern holds exactly the days from
                # the earliest up to today, so clients and fuzzers can read the bounds.
                schema["pattern"] = date_range_pattern(self.earliest, latest)
        elif self.kind == "choice":
            schema = {"type": "string", "enum": list(self.choices)}
        return OpenApiParameter(
            self.name,
            schema,
            OpenApiParameter.QUERY,
            description=description,
            examples=[],
        )


def date_range_pattern(earliest: datetime.date, latest: datetime.date) -> str:
    """A regular expression for the YYYY-MM-DD days from ``earliest`` up to ``latest``.

    Month and day are checked by range, not by calendar (2021-02-30 matches); ``format: date``
    says the day must exist. ``earliest`` must be the first of January.
    """
    if (earliest.month, earliest.day) != (1, 1) or latest < earliest:
        raise ValueError("earliest must be a 1 January on or before latest")
    any_month = "(?:0[1-9]|1[0-2])"
    any_day = "(?:0[1-9]|[12][0-9]|3[01])"
    parts = []
    if latest.year > earliest.year:
        years = "|".join(str(year) for year in range(earliest.year, latest.year))
        parts.append(f"(?:{years})-{any_month}-{any_day}")
    if latest.month > 1:
        months = "|".join(f"{month:02d}" for month in range(1, latest.month))
        parts.append(f"{latest.year}-(?:{months})-{any_day}")
    days = "|".join(f"{day:02d}" for day in range(1, latest.day + 1))
    parts.append(f"{latest.year}-{latest.month:02d}-(?:{days})")
    return "^(?:" + "|".join(parts) + ")$"


def parse_query(query: Mapping, params: Iterable[QueryParam]) -> dict:
    """The typed values of the declared parameters that were sent; ValidationError (a 400 naming
    each wrong parameter) if one came more than once or is not what it should be."""
    values, errors = {}, {}
    for param in params:
        raw_values = query.getlist(param.name)
        if not raw_values:
            continue
        if len(raw_values) > 1:
            errors[param.name] = f"Give {param.name} once, not {len(raw_values)} times."
            continue
        try:
            values[param.name] = param.parse(raw_values[0])
        except ValueError as error:
            errors[param.name] = str(error)
    if errors:
        raise ValidationError(errors)
    return values


# Paging, the same for every list of the API.
LIMIT = QueryParam(
    "limit",
    "int",
    "Number of results to return per page, 1 or more (at most 1000 are returned).",
    minimum=1,
)
OFFSET = QueryParam(
    "offset", "int", "The initial index from which to return the results, 0 or more.", minimum=0
)
PAGING = (LIMIT, OFFSET)


class QueryParamsSchema(AutoSchema):
    """Puts a view's declared query parameters, and the 400 that refuses them, in the schema.

    The view says which parameters an action reads with ``query_params_for(action)``.
    """

    def _declared(self) -> tuple[QueryParam, ...]:
        declared = getattr(self.view, "query_params_for", None)
        return tuple(declared(getattr(self.view, "action", None))) if declared else ()

    def get_override_parameters(self):
        return [*super().get_override_parameters(), *(p.openapi() for p in self._declared())]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        declared = self._declared()
        if declared and "400" not in responses:
            error = OpenApiResponse(
                query_error_serializer(self.view, declared),
                description="A query parameter is not what it should be (each one is named)",
            )
            responses["400"] = self._get_response_for_code(error, "400", direction=direction)
        return responses


def query_error_serializer(view, params: Iterable[QueryParam]) -> serializers.Serializer:
    """The 400's body: per wrong parameter, what is wrong with it."""
    names = sorted({param.name for param in params})
    # One component per set of parameters; the name is built from the parameters' names.
    component = "QueryError" + "".join(part.title() for name in names for part in name.split("_"))
    fields = {name: serializers.CharField(required=False) for name in names}
    return type(component, (serializers.Serializer,), fields)()


__all__ = [
    "LIMIT",
    "OFFSET",
    "PAGING",
    "QueryParam",
    "QueryParamsSchema",
    "date_range_pattern",
    "parse_query",
]
