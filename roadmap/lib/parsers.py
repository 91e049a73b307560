"""The JSON parser of every DRF endpoint: a malformed body is a 400, never a 500.

DRF's own parser turns a ValueError into a 400 but lets a RecursionError through: a body of a
thousand nested arrays made the token API answer 500. This one also refuses a body nested
deeper than any of our requests needs, so nothing downstream (validation, error rendering)
recurses through a hostile structure either.
"""

import codecs
import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json as drf_json

# Our deepest request is a batch of answers: a list of objects of strings (depth 2).
MAX_JSON_DEPTH = 32


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether ``data`` nests lists and objects deeper than ``limit``; iterative, so that a
    deep structure cannot exhaust the stack here."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = drf_json.strict_constant if self.strict else None
            data = json.load(decoded_stream, parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(self._too_deep()) from None
        except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
            raise ParseError(
                _("De inhoud is geen geldige JSON in UTF-8; controleer het bericht.")
            ) from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise ParseError(self._too_deep())
        return data

    @staticmethod
    def _too_deep() -> str:
        return _("De JSON is te diep genest (hoogstens %(depth)d niveaus).") % {
            "depth": MAX_JSON_DEPTH
        }
