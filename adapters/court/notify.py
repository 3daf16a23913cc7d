"""The way back to the court: the callback service it runs, in its own names."""

from adapters.common import reply_callback
from gateway.domain.enums import AgencyType

callback_service, RECEIVE_REPLY = reply_callback("court", AgencyType.COURT, "notice_number", "a court")
