"""The console's blueprint, its sign-in guard, CSRF check and security headers."""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, Flask, Request, Response, abort, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect

from gateway.config import Settings
from gateway.contracts import labels
from gateway.domain.staff import StaffMember
from gateway.errors import RateLimited
from gateway.web.console.formatting import FILTERS
from gateway.web.context import services

blp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
csrf = CSRFProtect()

SESSION_TOKEN = "sid"
PUBLIC_ENDPOINTS = frozenset({"console.login", "console.static"})
# Everything the console loads comes from the gateway itself: it must work on a closed network.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)

CONSOLE_PATH = "/console"


class ConsoleSessions(SecureCookieSessionInterface):
    """Signed cookie sessions for the console only: its cookie is sent nowhere else, so an agency's call opens
    none (no signing key derived on every notice)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path != CONSOLE_PATH and not request.path.startswith(CONSOLE_PATH + "/"):
            return None  # Flask gives the call a null session
        return super().open_session(app, request)


P = ParamSpec("P")
R = TypeVar("R")


def init_console(app: Flask, settings: Settings, agency_types: Mapping[str, str]) -> None:
    """Register the console with signed, HTTP-only, same-site session cookies and CSRF protection;
    `agency_types` names each type of agency (code -> Chinese name, as the agency folders declare them)."""
    app.config.update(
        SECRET_KEY=settings.console_secret,
        SESSION_COOKIE_NAME="lagw_console",
        SESSION_COOKIE_PATH=CONSOLE_PATH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.console_cookie_secure,
        WTF_CSRF_CHECK_DEFAULT=False,  # the console checks its own posts; the API has no cookies to forge
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session, which expires on its own
    )
    app.session_interface = ConsoleSessions()
    csrf.init_app(app)
    app.jinja_env.globals.update(L=labels, agency_name=agency_name, AGENCY_TYPES=dict(agency_types))
    app.jinja_env.filters.update(FILTERS)
    app.register_blueprint(blp)


def agency_name(code: str) -> str:
    """A registered agency's or centre's name for its code (the code itself if it is not registered)."""
    return services().console.agency_names().get(code, code)


def current_member() -> StaffMember:
    """The staff member signed in for this request."""
    member: StaffMember = g.member
    return member


def requires(allowed: Callable[[StaffMember], bool]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A view open only to staff for whom `allowed(member)` holds; 403 for the others."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            if not allowed(current_member()):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


@blp.before_request
def _guard() -> Any:
    """Every post carries the form's CSRF token; every page but sign-in needs a live session."""
    if request.method == "POST":
        csrf.protect()
    token = session.get(SESSION_TOKEN)
    g.member = services().staff_auth.member_for(token) if isinstance(token, str) else None
    if g.member is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.headers.get("X-Requested-With") == "fetch":
            abort(401)
        session.pop(SESSION_TOKEN, None)
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    return None


@blp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"  # pages hold personal data
    return response


@blp.errorhandler(CSRFError)
def _csrf_refused(exc: CSRFError) -> tuple[str, int]:
    return render_template(
        "console/error.html", status=400, message="表单缺少有效的安全令牌，已拒绝。请刷新页面后重试。"
    ), 400


@blp.errorhandler(RateLimited)
def _too_many(exc: RateLimited) -> tuple[str, int, dict[str, str]]:
    message = f"尝试次数过多，请 {exc.retry_after} 秒后再试。"
    return (
        render_template("console/error.html", status=429, message=message),
        429,
        {"Retry-After": str(exc.retry_after)},
    )


@blp.errorhandler(403)
def _forbidden(exc: Exception) -> tuple[str, int]:
    return render_template("console/error.html", status=403, message="您的账户无权查看或办理此项内容。"), 403


@blp.errorhandler(404)
def _not_found(exc: Exception) -> tuple[str, int]:
    return render_template("console/error.html", status=404, message="未找到该页面或记录。"), 404
