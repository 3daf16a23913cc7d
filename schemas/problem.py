"""The RFC 9457 problem document every REST error is answered with."""

from marshmallow import Schema, fields


class ProblemSchema(Schema):
    """application/problem+json: a stable `type` (`/problems/<code>`), and per-field `errors` where they apply."""

    type = fields.String(required=True, metadata={"description": "/problems/<code>; resolves to a description"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String(required=True, metadata={"description": "the path that was called"})
    code = fields.String(required=True, metadata={"description": "the stable, machine-readable code"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "messages per field, named as the agency's dialect names it"},
    )
