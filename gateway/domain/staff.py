"""The legal aid centre's staff: roles and what each may see and do in the console."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A staff account's role."""

    CENTRE_STAFF = "centre_staff"  # their own centre's requests: read, act, re-drive notices
    SUPERVISOR = "supervisor"  # every centre's requests, and the reports
    ADMINISTRATOR = "administrator"  # the agency registry and the staff accounts; no case files


@dataclass(frozen=True)
class StaffMember:
    """Who is signed in to the console."""

    username: str
    display_name: str
    role: Role
    centre_code: str | None  # required for centre staff; none for the other roles
    personal_data: bool = False  # may see names and ID numbers in clear (PIPL: only who needs to)

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return f"staff:{self.username}"

    def reads_cases(self) -> bool:
        """Whether the inbox and the requests' pages are open to this role."""
        return self.role in (Role.CENTRE_STAFF, Role.SUPERVISOR)

    def may_see(self, centre_code: str) -> bool:
        """Whether a request routed to `centre_code` is this person's business."""
        if self.role is Role.SUPERVISOR:
            return True
        return self.role is Role.CENTRE_STAFF and centre_code == self.centre_code

    def sees_reports(self) -> bool:
        """Whether the reports are open to this role."""
        return self.role is Role.SUPERVISOR

    def administers(self) -> bool:
        """Whether the registry and the staff accounts are open to this role."""
        return self.role is Role.ADMINISTRATOR

    def centres_in_view(self) -> str | None:
        """The one centre whose work this person sees, or None for every centre."""
        return self.centre_code if self.role is Role.CENTRE_STAFF else None
