"""Account pages under /accounts/: sign in (throttled; TOTP as a second step), API tokens, password, TOTP.

- ``/accounts/login/``: user name and password (throttled per account and per address: 429 with the wait);
  an account with TOTP goes on to ``/accounts/login/code/``; an administrator who must use TOTP and has none
  sets it up first at ``/accounts/login/enrol/``. /admin/login/ comes here too.
- ``/accounts/tokens/``: my API tokens (an administrator: ``?all=1``, everyone's within scope), a new one (its key
  shown once), revoke one
- ``/accounts/password/``: change my password (Django's validators)
- ``/accounts/totp/``: set up, confirm or remove TOTP (administrators)

The pages parse, call ``accounts.services`` and show its Chinese messages; they write nothing themselves.
"""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.errors import DomainError
from gridgov.pages import render_page

from . import services, throttle
from .models import User

PENDING = "gridgov_pending_sign_in"
PENDING_MAX_AGE_S = 300
BACKEND = "django.contrib.auth.backends.ModelBackend"


# ---------------------------------------------------------------- signing in


class SignInForm(AuthenticationForm):
    """Django's sign-in form, checked by ``services.sign_in`` (throttles, records, TOTP)."""

    result: services.SignIn | None = None
    throttled = False

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.result = services.sign_in(self.request, username, password, via="page")
            except throttle.Throttled as e:
                self.throttled = True
                raise ValidationError(e.message, code="throttled") from None
            except services.BadCredentials as e:
                raise ValidationError(e.message, code="invalid_login") from None
            self.user_cache = self.result.user
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    template_name = "login.html"
    form_class = SignInForm

    def form_valid(self, form):
        result = form.result
        if result.next:  # a second step is due: remember who, not signed in yet
            self.request.session[PENDING] = {"user": result.user.pk, "next": self.get_redirect_url() or "",
                                             "at": int(time.time())}
            return redirect("accounts:login_code" if result.next == "totp" else "accounts:login_enrol")
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


def _pending(request) -> tuple[User | None, str]:
    data = request.session.get(PENDING) or {}
    if not data or time.time() - data.get("at", 0) > PENDING_MAX_AGE_S:
        return None, ""
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    return user, data.get("next", "")


def _finish(request, user: User, next_url: str):
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect(settings.LOGIN_REDIRECT_URL)  # as after a sign-in without a code: each post's home


class CodeForm(forms.Form):
    code = forms.CharField(label="动态口令", max_length=8, error_messages={"required": "请输入验证器上的 6 位数字"},
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """Second step of signing in: the TOTP code."""
    user, next_url = _pending(request)
    if user is None:
        messages.error(request, "登录已超时，请重新输入用户名和密码")
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_in_code(request, user, form.cleaned_data["code"])
        except throttle.Throttled as e:
            form.add_error(None, e.message)
            status = 429
        except services.BadCredentials as e:
            form.add_error("code", e.message)
            status = 400
        else:
            return _finish(request, user, next_url)
    elif request.method == "POST":
        status = 400
    return render_page(request, "accounts/login_code.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def login_enrol(request):
    """An administrator who must use TOTP and has none sets it up before the first sign-in completes."""
    user, next_url = _pending(request)
    if user is None or not services.totp_required(user) or services.confirmed_device(user) is not None:
        return redirect("login")
    enrolment = services.enrolment_of(user) or services.begin_totp(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp(user, form.cleaned_data["code"])
        except DomainError as e:
            form.add_error("code", e.message)
            status = 400
        else:
            return _finish(request, user, next_url)
    elif request.method == "POST":
        status = 400
    return render_page(request, "accounts/totp.html", {"form": form, "enrolment": enrolment, "at_sign_in": True},
                       status=status)


def admin_login(request):
    """/admin/login/: the one sign-in page (throttled, with TOTP), then back to the admin."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or "/admin/"
    return redirect(reverse("login") + "?" + f"{REDIRECT_FIELD_NAME}={next_url}")


# ---------------------------------------------------------------- API tokens


class TokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100, required=False, help_text="例如：巡查 App、数据对接")
    lifetime_days = forms.IntegerField(label="有效期（天）", min_value=1, required=False,
                                       error_messages={"invalid": "有效期应为天数（整数）",
                                                       "min_value": "有效期至少 1 天"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conf = settings.GRIDGOV
        self.fields["lifetime_days"].help_text = (f"默认 {conf['TOKEN_LIFETIME_DAYS']} 天，"
                                                  f"最长 {conf['TOKEN_MAX_LIFETIME_DAYS']} 天")


def _token_rows(request, everyone: bool):
    now = timezone.now()
    qs = services.tokens_visible(request.user, everyone=everyone)[:500]
    return [(t, t.state(now)) for t in qs]


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    everyone = request.GET.get("all") == "1" and services.may_manage_all(request.user)
    form = TokenForm(request.POST or None)
    new_key, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, new_key = services.issue_token(request.user, request.user, form.cleaned_data["name"] or "web",
                                                      lifetime_days=form.cleaned_data["lifetime_days"])
            except DomainError as e:
                form.add_error("lifetime_days" if e.code == "invalid_lifetime" else None, e.message)
                status = 400
            else:
                form = TokenForm()
                status = 201
        else:
            status = 400
    ctx = {"form": form, "rows": _token_rows(request, everyone), "everyone": everyone, "new_key": new_key,
           "may_see_all": services.may_manage_all(request.user), "section": "tokens"}
    return render_page(request, "accounts/tokens.html", ctx, status=status)


@login_required
@require_POST
def revoke(request, token_id: int):
    try:
        token = services.revoke_token(request.user, token_id)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已吊销令牌 {token.prefix}…（{token.user.username}）")
    back = reverse("accounts:tokens")
    return redirect(back + ("?all=1" if request.POST.get("all") == "1" else ""))


# ---------------------------------------------------------------- password


class PasswordForm(PasswordChangeForm):
    """Django's form (old password, the validators on the new one); saving goes through the service."""

    error_messages = {**PasswordChangeForm.error_messages, "password_incorrect": "原密码不正确，请重新输入",
                      "password_mismatch": "两次输入的新密码不一致"}


class PasswordView(auth_views.PasswordChangeView):
    template_name = "accounts/password.html"
    form_class = PasswordForm

    def get_success_url(self):
        return reverse("accounts:password")

    def form_valid(self, form):
        try:
            services.change_password(self.request.user, form.cleaned_data["old_password"],
                                     form.cleaned_data["new_password1"])
        except DomainError as e:
            form.add_error("new_password1" if e.code == "weak_password" else "old_password", e.message)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, "密码已修改")
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "section": "password"}


# ---------------------------------------------------------------- TOTP


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def totp(request):
    user = request.user
    form = CodeForm(request.POST or None)
    status = 200
    if not services.may_enrol(user):
        return render_page(request, "accounts/totp.html", {"offered": False, "section": "totp"}, status=403)
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "begin":
                services.begin_totp(user)
                return redirect("accounts:totp")
            if not form.is_valid():
                raise DomainError("code_required", "请输入验证器上的 6 位数字")
            if what == "confirm":
                services.confirm_totp(user, form.cleaned_data["code"])
                messages.success(request, "动态口令已启用：以后登录时需输入验证器上的 6 位数字")
                return redirect("accounts:totp")
            if what == "remove":
                services.remove_totp(user, user, form.cleaned_data["code"])
                messages.success(request, "动态口令已停用")
                return redirect("accounts:totp")
            raise DomainError("unknown_action", "未知操作")
        except DomainError as e:
            form.errors.clear()
            form.add_error(None, e.message)
            status = 400
    ctx = {"offered": True, "form": form, "enabled": services.confirmed_device(user) is not None,
           "enrolment": services.enrolment_of(user), "required": services.totp_required(user), "section": "totp"}
    return render_page(request, "accounts/totp.html", ctx, status=status)


urlpatterns = [
    path("login/code/", login_code, name="login_code"),
    path("login/enrol/", login_enrol, name="login_enrol"),
    path("tokens/", tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", revoke, name="revoke"),
    path("password/", login_required(PasswordView.as_view()), name="password"),
    path("totp/", totp, name="totp"),
]
