"""Signing in and out of the console."""

from flask import g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from gateway.domain.staff import StaffMember
from gateway.service.staff_auth import SignInRefused
from gateway.web.console.blueprint import SESSION_TOKEN, blp
from gateway.web.context import services
from gateway.web.rate_limits import count_sign_in


@blp.route("/login", methods=["GET", "POST"])
def login() -> str | BaseResponse | tuple[str, int]:
    """The sign-in form; a good password opens a fresh session (a new token: no fixation)."""
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.member is not None:
            return redirect(target or _home(g.member))
        return render_template("console/login.html", next=target, error=None)
    count_sign_in()  # per address, before the password check: spraying many accounts is slowed too
    username = request.form.get("username", "").strip()[:64]
    try:
        token = services().staff_auth.sign_in(username, request.form.get("password", "")[:1024])
    except SignInRefused:
        error = "用户名或密码错误；连续失败 5 次后账户将锁定 15 分钟。"
        return render_template("console/login.html", next=target, error=error, username=username), 401
    previous = session.get(SESSION_TOKEN)
    if isinstance(previous, str):
        services().staff_auth.sign_out(previous)  # signing in again ends the session the cookie held
    session.clear()
    session[SESSION_TOKEN] = token
    member = services().staff_auth.member_for(token)
    return redirect(target or (_home(member) if member else url_for("console.login")))


@blp.post("/logout")
def logout() -> BaseResponse:
    """End the session on the server and forget the cookie."""
    token = session.get(SESSION_TOKEN)
    if isinstance(token, str):
        services().staff_auth.sign_out(token)
    session.clear()
    return redirect(url_for("console.login"))


def _safe_next(target: str | None) -> str:
    """Only a path inside the console, never an address elsewhere (no open redirect); "" when none."""
    if not target or not target.isprintable():  # CR, LF, NUL and the like never reach a Location header
        return ""
    if target.startswith("/console/") and not target.startswith("/console//") and "\\" not in target:
        return target
    return ""


def _home(member: StaffMember) -> str:
    """Where a member lands: the inbox, or the administration page for administrators."""
    return url_for("console.inbox") if member.reads_cases() else url_for("console.admin")
