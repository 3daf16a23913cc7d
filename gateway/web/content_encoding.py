"""Request bodies sent compressed: `Content-Encoding: gzip` decoded within the same size limit as any body.

Some agencies' SOAP stacks compress what they send. A WSGI layer decodes the body before Flask reads it, so
REST and SOAP, the size limit and the stored original all see the message as sent before compression. An
encoding other than gzip, a body that is not gzip, or one that would decompress past the limit is refused by
the app as the caller's mistake (415, 400, 413; a Client fault on SOAP), with nothing read further.
"""

import io
import zlib
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request

from gateway.errors import GatewayError, MalformedBody, PayloadTooLarge, UnsupportedMediaType

GZIP = ("gzip", "x-gzip")
_REFUSAL = "lagw.body_refusal"  # the environ key under which the layer leaves its refusal for the app
_GZIP_WINDOW = 16 + zlib.MAX_WBITS  # zlib's wbits for a gzip header and trailer

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


SENT_BODY = "lagw.sent_body"  # the body as it came, before its gzip was undone
SENT_ENCODING = "lagw.sent_encoding"  # its Content-Encoding, taken off once undone


class DecodedBodies:
    """WSGI middleware: a gzip body decompressed, at most `limit` bytes; anything else left to refuse."""

    def __init__(self, app: WsgiApp, limit: int) -> None:
        self._app = app
        self._limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        encoding = environ.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        if encoding and encoding != "identity":
            try:
                self._decode(environ, encoding)
            except GatewayError as refusal:
                environ[_REFUSAL] = refusal
        return self._app(environ, start_response)

    def _decode(self, environ: dict[str, Any], encoding: str) -> None:
        if encoding not in GZIP:
            raise UnsupportedMediaType(f"Content-Encoding {encoding} is not accepted; send gzip or no encoding")
        compressed = self._read(environ)
        inflater = zlib.decompressobj(_GZIP_WINDOW)
        try:
            body = inflater.decompress(compressed, self._limit + 1)
        except zlib.error as exc:
            raise MalformedBody("the body is not gzip data, as its Content-Encoding says") from exc
        if len(body) > self._limit or inflater.unconsumed_tail:
            raise PayloadTooLarge(f"the body decompresses to more than the limit of {self._limit} bytes")
        if not inflater.eof:
            raise MalformedBody("the gzip body ends before its last block")
        environ[SENT_BODY] = compressed  # a signed request's Content-Digest is of the bytes as sent (RFC 9530)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ[SENT_ENCODING] = environ.pop("HTTP_CONTENT_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)

    def _read(self, environ: dict[str, Any]) -> bytes:
        """The compressed body, never more than the limit (a declared length is checked before reading)."""
        stream = environ["wsgi.input"]
        declared = environ.get("CONTENT_LENGTH")
        try:
            if declared:
                if int(declared) > self._limit:
                    raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {self._limit}")
                data: bytes = stream.read(int(declared))
                if len(data) < int(declared):
                    raise MalformedBody(f"the body ended after {len(data)} of its declared {declared} bytes")
                return data
            data = stream.read(self._limit + 1) if environ.get("wsgi.input_terminated") else b""
        except (OSError, ValueError) as exc:
            raise MalformedBody("the body could not be read to its end") from exc
        if len(data) > self._limit:
            raise PayloadTooLarge(f"the body is over the limit of {self._limit} bytes")
        return data


def init_content_encoding(app: Flask, limit: int) -> None:
    """Decode gzip bodies before the app reads them; refuse what could not be decoded before any view runs."""
    app.wsgi_app = DecodedBodies(app.wsgi_app, limit)  # type: ignore[method-assign]

    def _refuse_undecodable() -> None:
        refusal = request.environ.get(_REFUSAL)
        if refusal is not None:
            raise refusal

    app.before_request_funcs.setdefault(None, []).insert(1, _refuse_undecodable)  # right after the request id
