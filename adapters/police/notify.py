"""The way back to the police: the callback service it runs, in its own names."""

from adapters.common import reply_callback
from gateway.domain.enums import AgencyType

callback_service, RECEIVE_REPLY = reply_callback(
    "police", AgencyType.POLICE, "reference_number", "a police bureau or detention centre"
)
