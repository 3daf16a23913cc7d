"""Administrators: the agency registry and the staff accounts (unlock, disable, enable)."""

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from gateway.domain.staff import StaffMember
from gateway.web.console.blueprint import blp, current_member, requires
from gateway.web.context import services


@blp.get("/admin")
@requires(StaffMember.administers)
def admin() -> str:
    """The registered agencies and the staff accounts."""
    found = services()
    callbacks = {}
    for agency in found.agencies.list():
        callback = found.agencies.callback_of(agency.code)
        callbacks[agency.code] = (callback.kind, callback.url) if callback else None
    return render_template(
        "console/admin.html",
        agencies=found.agencies.list(),
        callbacks=callbacks,
        accounts=found.staff.all(),
        now=found.clock.now(),
    )


@blp.post("/admin/staff/<username>/<action>")
@requires(StaffMember.administers)
def staff_action(username: str, action: str) -> BaseResponse:
    """Unlock, disable or enable an account (an administrator cannot disable their own)."""
    staff = services().staff
    if action == "unlock":
        done = staff.unlock(username)
    elif action in ("disable", "enable"):
        if username == current_member().username:
            abort(403)
        done = staff.set_disabled(username, action == "disable")
    else:
        abort(404)
    if not done:
        abort(404)
    flash({"unlock": "已解锁", "disable": "已停用", "enable": "已启用"}[action] + f"：{username}")
    return redirect(url_for("console.admin"))
