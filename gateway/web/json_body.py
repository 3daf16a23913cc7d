"""JSON bodies read strictly: whatever does not parse into UTF-8 text is the caller's mistake (400), never a 500.

webargs catches only a syntax error. Python's `json` also refuses an integer of more than 4,300 digits (a
ValueError), overflows its stack on nesting some thousands deep (a RecursionError), and accepts a lone UTF-16
surrogate escape (`"\\ud800"`), which no UTF-8 text can hold and which failed later, at storing the message.
"""

import json
from typing import Any, NoReturn

import flask
import flask_smorest
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from gateway.errors import MalformedBody

_SURROGATE_ESCAPE = b"\\ud"  # \ud800–\udfff: any lone surrogate comes from such an escape (lower or upper case)


class StrictJsonParser(FlaskParser):
    """webargs' Flask parser with every way a body can fail to be JSON text answered as malformed."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        raw = req.get_data(cache=True)
        if not raw:
            return core.missing
        return parse_body(raw)

    def _handle_invalid_json_error(self, error: Exception, req: flask.Request, *args: Any, **kwargs: Any) -> NoReturn:
        raise MalformedBody(_reason(error)) from error


def parse_body(raw: bytes) -> Any:
    """The body as JSON, or MalformedBody saying why it is not."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"the body is not UTF-8 text (byte {exc.start})") from exc
    except RecursionError as exc:
        raise MalformedBody("the body nests arrays or objects too deeply") from exc
    except ValueError as exc:  # a syntax error, or an integer too long to convert
        raise MalformedBody(_reason(exc)) from exc
    if _SURROGATE_ESCAPE in raw.lower():
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedBody(
                "the body escapes a lone UTF-16 surrogate (\\ud800–\\udfff), which is no character"
            ) from exc
    return data


def _reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"the body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    if "digits" in str(error):
        return "the body holds an integer of more than 4,300 digits"
    return "the body is not valid JSON"


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """flask-smorest's Blueprint reading JSON bodies with StrictJsonParser; every API blueprint uses it."""

    ARGUMENTS_PARSER = StrictJsonParser()

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Any:
        """As flask-smorest's, with one schema instance for every request (webargs builds one per request
        from a class, and with it every nested schema: a tenth of a notice's CPU)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)
