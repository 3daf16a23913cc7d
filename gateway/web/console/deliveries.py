"""Notices to agencies that are failing or parked, each attempt's outcome, and a button to send again."""

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from gateway.domain.staff import StaffMember
from gateway.web.console.blueprint import blp, current_member, requires
from gateway.web.context import services


def _sees_deliveries(member: StaffMember) -> bool:
    return member.reads_cases() or member.administers()


@blp.get("/deliveries")
@requires(_sees_deliveries)
def deliveries() -> str:
    """The troubled notices of the centre (every centre for supervisors and administrators)."""
    member = current_member()
    found = services()
    centre = member.centres_in_view() if member.reads_cases() else None
    troubled = [
        (delivery, case_number, found.deliveries.attempts(delivery.id))
        for delivery, case_number in found.console.troubled_deliveries(centre)
    ]
    return render_template(
        "console/deliveries.html", troubled=troubled, agencies=found.console.agency_names(), member=member
    )


@blp.post("/deliveries/<int:delivery_id>/retry")
@requires(_sees_deliveries)
def retry_delivery(delivery_id: int) -> BaseResponse:
    """Send a parked or failing notice again now, with a fresh count of attempts."""
    member = current_member()
    centre = services().console.delivery_centre(delivery_id)
    if centre is None:
        abort(404)
    if member.reads_cases() and not member.may_see(centre):
        abort(403)
    if services().deliveries.retry(delivery_id):
        flash(f"回执 #{delivery_id} 已重新排队发送。")
    else:
        flash(f"回执 #{delivery_id} 已送达，无需重试。")
    return redirect(url_for("console.deliveries"))
