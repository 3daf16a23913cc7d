"""The way back to the procuratorate: the callback service it runs, in its own names."""

from adapters.common import reply_callback
from gateway.domain.enums import AgencyType

callback_service, RECEIVE_REPLY = reply_callback(
    "procuratorate", AgencyType.PROCURATORATE, "document_number", "a procuratorate"
)
