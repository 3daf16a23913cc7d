"""The forwarding agency's proof of service (送达回证) of the centre's written decision."""

from marshmallow import Schema

from schemas.fields import aware_datetime


class ProofOfServiceSchema(Schema):
    """When the agency handed the centre's written decision to the applicant (LAL 43 ¶1, 39)."""

    served_at = aware_datetime(
        required=True,
        metadata={"description": "when the applicant received the written decision; not before it was made"},
    )
