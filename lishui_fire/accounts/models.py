"""Users, their roles, and the organisation units (the detachment and its brigades)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lishui_fire.accounts.token_keys import digest_of, new_key
from lishui_fire.core.validators import (
    validate_mainland_mobile,
    validate_phone_number,
    validate_uscc,
)


class OrgUnit(models.Model):
    """The detachment (支队) or one of its brigades (大队).

    A table rather than an enum: a development-zone brigade or a special-duty unit can be added
    by an administrator without a code change (DOMAIN.md 9.1).
    """

    class Kind(models.TextChoices):
        DETACHMENT = "detachment", _("支队")
        BRIGADE = "brigade", _("大队")

    code = models.CharField(_("代码"), max_length=16, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name_zh = models.CharField(_("中文名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=128)
    division_name = models.CharField(_("行政区划"), max_length=32, blank=True)
    division_code = models.CharField(_("行政区划代码"), max_length=6, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    # Where people are told to call or go: data an administrator keeps, never text in a template
    # (issue 9). Blank means "not entered yet": pages fall back to the parent unit's, then to the
    # 12345 government service hotline (accounts.contacts).
    hotline = models.CharField(
        _("咨询电话"),
        max_length=32,
        blank=True,
        validators=[validate_phone_number],
        help_text=_("固定电话或手机号码，如 0578-2121119；页面上显示为可拨打的链接。"),
    )
    window_address = models.CharField(_("办事窗口地址"), max_length=200, blank=True)
    opening_hours = models.CharField(
        _("窗口办公时间"),
        max_length=200,
        blank=True,
        help_text=_("如：工作日 8:30–12:00，14:30–17:30（法定节假日除外）"),
    )
    # The body named in letters as hearing an administrative reconsideration of this unit's
    # decisions (行政复议法 2023 art. 24): a county's people's government for its brigade, the
    # city's for the detachment, as seeded by migration 0005; the legal office corrects it here.
    reconsideration_body = models.CharField(_("行政复议机关"), max_length=64, blank=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        lang = get_language() or "zh-hans"
        return self.name_en if lang.startswith("en") else self.name_zh

    @property
    def is_detachment(self) -> bool:
        return self.kind == self.Kind.DETACHMENT


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    INSPECTOR = "inspector", _("监督员")
    BRIGADE_SUPERVISOR = "brigade_supervisor", _("大队领导")
    DETACHMENT_SUPERVISOR = "detachment_supervisor", _("支队领导")
    ADMINISTRATOR = "administrator", _("系统管理员")
    # Checks penalty and fire-determination decisions before they are signed (法制审核).
    LEGAL_OFFICER = "legal_officer", _("法制员")
    # The only role that sees complaint clues about staff (纪检监察).
    DISCIPLINE_OFFICER = "discipline_officer", _("纪检员")


STAFF_ROLES = frozenset(
    {
        Role.INSPECTOR,
        Role.BRIGADE_SUPERVISOR,
        Role.DETACHMENT_SUPERVISOR,
        Role.ADMINISTRATOR,
        Role.LEGAL_OFFICER,
        Role.DISCIPLINE_OFFICER,
    }
)
SUPERVISOR_ROLES = frozenset({Role.BRIGADE_SUPERVISOR, Role.DETACHMENT_SUPERVISOR})
# Staff who handle the cases of their brigade (accept, inspect, decide). The legal and the
# discipline officer are staff too, but they check and oversee: they handle no case.
HANDLING_ROLES = frozenset(
    {Role.INSPECTOR, Role.BRIGADE_SUPERVISOR, Role.DETACHMENT_SUPERVISOR, Role.ADMINISTRATOR}
)
# Staff who read the decisions of their brigade's cases: the handlers and the legal officer, who
# checks them (法制审核). The discipline officer is not among them.
CASE_READER_ROLES = HANDLING_ROLES | {Role.LEGAL_OFFICER}
# "Supervisor or administrator": who approves, revokes and sets priorities.
SUPERVISING_ROLES = SUPERVISOR_ROLES | {Role.ADMINISTRATOR}


class PortalUserQuerySet(models.QuerySet["User"]):
    def update(self, **kwargs: Any) -> int:
        # Rows the code cannot name changed: no process may keep a copy of any token's user
        # (accounts.token_cache, ADR 0031).
        count = super().update(**kwargs)
        if count:
            from .token_markers import changed

            changed()
        return count


class PortalUserManager(UserManager.from_queryset(PortalUserQuerySet)):  # type: ignore[misc]
    def staff(self) -> models.QuerySet[User]:
        return self.filter(role__in=STAFF_ROLES)

    def create_superuser(self, username, email=None, password=None, **extra_fields):  # type: ignore[no-untyped-def]
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        extra_fields.setdefault("real_name", username)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: an applicant, or a member of staff with a role and a unit."""

    role = models.CharField(
        _("角色"), max_length=32, choices=Role.choices, default=Role.APPLICANT, db_index=True
    )
    real_name = models.CharField(_("真实姓名"), max_length=64)
    phone = models.CharField(
        _("手机号码"), max_length=11, blank=True, validators=[validate_mainland_mobile]
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    enterprise_name = models.CharField(_("单位名称"), max_length=128, blank=True)
    enterprise_uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc]
    )
    # The language messages are written in when they go out (reminders rendered at send time);
    # set from the language the person last picked with the site's switcher.
    # db_default too: rows written without the column (raw SQL, older code) read the site default.
    language = models.CharField(
        _("语言"),
        max_length=16,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        db_default=settings.LANGUAGE_CODE,
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            # Staff belong to a unit; an applicant belongs to none.
            models.CheckConstraint(
                condition=Q(role="applicant", org_unit__isnull=True)
                | (~Q(role="applicant") & Q(org_unit__isnull=False))
                | Q(role="administrator"),
                name="user_staff_has_unit",
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(role="applicant") & ~Q(phone=""),
                name="user_applicant_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # set_password() leaves the new raw password in _password until the save: a changed
        # password (form, reset link, admin, manage.py changepassword) ends every API token.
        password_changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.revoke_all(self, reason=ApiToken.Reason.PASSWORD_CHANGE)

    # Role predicates, so templates and policies never compare strings.
    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT

    @property
    def is_portal_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_inspector(self) -> bool:
        return self.role == Role.INSPECTOR

    @property
    def is_supervisor(self) -> bool:
        return self.role in SUPERVISOR_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    @property
    def is_legal_officer(self) -> bool:
        return self.role == Role.LEGAL_OFFICER

    @property
    def is_discipline_officer(self) -> bool:
        return self.role == Role.DISCIPLINE_OFFICER

    @property
    def sees_all_brigades(self) -> bool:
        """Detachment staff and administrators see every brigade's jurisdiction."""
        if self.role in (Role.DETACHMENT_SUPERVISOR, Role.ADMINISTRATOR):
            return True
        return bool(self.org_unit and self.org_unit.is_detachment and self.is_portal_staff)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Every write of tokens tells the processes' token copies (accounts.token_cache, ADR 0031):
    ``update_of`` for one user's tokens, ``update`` for any (every copy is dropped); ``touch``
    alone writes the last use, which is not a change of what a token may do."""

    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def update(self, **kwargs: Any) -> int:
        count = super().update(**kwargs)
        if count:
            from .token_markers import changed

            changed()
        return count

    def update_of(self, user: User, **kwargs: Any) -> int:
        """``update`` of tokens all of which are ``user``'s."""
        count = super().update(**kwargs)
        if count:
            from .token_markers import changed

            changed(user.pk)
        return count

    def touch(self, **kwargs: Any) -> int:
        """Write ``last_used_at``/``last_used_ip`` only (once a minute a token, accounts.tokens)."""
        if not set(kwargs) <= {"last_used_at", "last_used_ip"}:
            raise TypeError(f"touch() writes the last use only, not {sorted(kwargs)}")
        return super().update(**kwargs)

    def revoke_all(self, user: User, *, reason: str) -> int:
        from django.utils import timezone

        return (
            self.filter(user=user)
            .active()
            .update_of(user, revoked_at=timezone.now(), revoked_reason=reason)
        )


class ApiToken(models.Model):
    """A key for ``Authorization: Token <key>`` (API.md), one per sign-in through the API.

    Only the SHA-256 of the key is stored (a copy of the table signs in nobody) with its first
    characters to tell tokens apart. A token ends when it is revoked (by its owner, at logout, at
    a password change) or when it expires: ``API_TOKEN_IDLE_SECONDS`` after its last use (for
    staff ``STAFF_IDLE_TIMEOUT_SECONDS``, the idle rule of their sessions) and
    ``API_TOKEN_MAX_AGE_SECONDS`` after it was issued, whatever its use (ADR 0023).
    """

    class Reason(models.TextChoices):
        OWNER = "owner", _("本人撤销")
        LOGOUT = "logout", _("退出登录")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        ADMIN = "admin", _("管理员撤销")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("签发时间"), db_index=True)
    created_ip = models.GenericIPAddressField(_("签发地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=200, blank=True)
    # Written at most every API_TOKEN_TOUCH_SECONDS (accounts.tokens): a token call stays a read.
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("最近使用地址"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("撤销原因"), max_length=32, choices=Reason.choices, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    # The plain key exists only on the instance that issued it (ApiToken.objects.create).
    key: str = ""

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self._state.adding and not self.digest:
            from django.utils import timezone

            self.key = new_key()
            self.digest = digest_of(self.key)
            self.prefix = self.key[:8]
            if self.created_at is None:
                self.created_at = timezone.now()
        super().save(*args, **kwargs)
