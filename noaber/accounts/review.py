"""The access review: every account and partner API key of a municipality, with its rights and
last use, for the privacy officer.

The baseline (BIO2) asks for a yearly review of all rights and a quarterly one of privileged
rights. `build_review` gathers the facts in a fixed number of queries, whatever the number of
accounts; `report` shows them as a page or as CSV and logs that the report was read.
"""

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from noaber.audit.actions import record
from noaber.audit.models import Action, AuditEvent

from .access import PRIVILEGED_ROLES, municipality_view
from .models import ExternalIdentity, Membership, Municipality, PartnerToken, Role

# An account or key without use for this long is flagged: its rights may no longer be needed.
UNUSED_DAYS = 90


class Flag(models.TextChoices):
    """What the reviewer should look at in a row."""

    PRIVILEGED = "privileged", gettext_lazy("privilege")
    SEVERAL = "several", gettext_lazy("meerdere gemeenten")
    NO_MFA = "no_mfa", gettext_lazy("geen MFA")
    UNUSED = "unused", gettext_lazy("niet gebruikt in 90 dagen")
    NEVER_USED = "never_used", gettext_lazy("nooit gebruikt")
    INACTIVE = "inactive", gettext_lazy("geblokkeerd, wel rollen")
    # Signed in with a local password in the last 90 days (decision 0021: break-glass only).
    LOCAL_LOGIN = "local_login", gettext_lazy("logt lokaal in met wachtwoord")


UNUSED_FLAGS = (Flag.UNUSED, Flag.NEVER_USED)


@dataclass
class Grant:
    role: str
    granted_at: datetime
    # The identity provider whose claims give the role; empty for a local grant.
    provider: str = ""

    @property
    def source(self) -> str:
        if self.provider:
            return _("uit de claims van %(provider)s") % {"provider": self.provider}
        return _("lokaal toegekend")

    @property
    def label(self) -> str:
        return str(Role(self.role).label)

    @property
    def privileged(self) -> bool:
        return self.role in PRIVILEGED_ROLES


@dataclass
class AccountRow:
    user_id: int
    username: str
    full_name: str
    organisation: str
    is_active: bool
    grants: list[Grant] = field(default_factory=list)
    # Names of the other municipalities where the account holds a role.
    elsewhere: list[str] = field(default_factory=list)
    mfa: bool = False
    # The identity providers the account signs in through (MFA is enforced there).
    providers: list[str] = field(default_factory=list)
    last_login: datetime | None = None
    # The newest audit event with this account as actor, in any municipality.
    last_activity: datetime | None = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def privileged(self) -> bool:
        return any(grant.privileged for grant in self.grants)

    @property
    def attention(self) -> list[Flag]:
        """The flags besides the privilege itself, which the page shows as a badge of its own."""
        return [flag for flag in self.flags if flag != Flag.PRIVILEGED]

    @property
    def last_use(self) -> datetime | None:
        known = [moment for moment in (self.last_login, self.last_activity) if moment]
        return max(known) if known else None


@dataclass
class KeyRow:
    organisation: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    flags: list[Flag] = field(default_factory=list)


@dataclass
class AccessReview:
    municipality: Municipality
    on: date
    accounts: list[AccountRow]
    keys: list[KeyRow]

    @property
    def privileged_count(self) -> int:
        return sum(row.privileged for row in self.accounts)

    @property
    def unused_count(self) -> int:
        return sum(any(flag in UNUSED_FLAGS for flag in row.flags) for row in self.accounts)

    @property
    def no_mfa_count(self) -> int:
        return sum(not row.mfa for row in self.accounts)

    @property
    def active_key_count(self) -> int:
        return sum(key.revoked_at is None for key in self.keys)


def _unused_flag(last_use: datetime | None, cutoff: datetime):
    if last_use is None:
        return Flag.NEVER_USED
    if last_use < cutoff:
        return Flag.UNUSED
    return None


def build_review(municipality: Municipality, on: date | None = None) -> AccessReview:
    """Every account holding a role in `municipality` and every partner API key serving it,
    as they stand on `on` (today by default). Privileged accounts come first."""
    on = on or timezone.localdate()
    cutoff = timezone.make_aware(datetime.combine(on - timedelta(days=UNUSED_DAYS), time.min))

    rows: dict[int, AccountRow] = {}
    memberships = (
        Membership.objects.filter(municipality=municipality)
        .select_related("user__organisation", "provider")
        .order_by("user__username", "role")
    )
    for membership in memberships:
        user = membership.user
        row = rows.get(user.pk)
        if row is None:
            row = rows[user.pk] = AccountRow(
                user_id=user.pk,
                username=user.username,
                full_name=user.get_full_name(),
                organisation=user.organisation.name if user.organisation else "",
                is_active=user.is_active,
                last_login=user.last_login,
            )
        source = membership.provider.name if membership.provider else ""
        row.grants.append(Grant(membership.role, membership.granted_at, source))

    ids = list(rows)
    elsewhere = (
        Membership.objects.filter(user_id__in=ids)
        .exclude(municipality=municipality)
        .values_list("user_id", "municipality__name")
        .order_by("municipality__name")
        .distinct()
    )
    for user_id, name in elsewhere:
        rows[user_id].elsewhere.append(name)
    with_mfa = set(
        TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    )
    last_activity = (
        AuditEvent.objects.filter(actor_id__in=ids)
        .order_by()
        .values("actor_id")
        .annotate(last=Max("created_at"))
        .values_list("actor_id", "last")
    )
    for actor_id, last in last_activity:
        rows[actor_id].last_activity = last
    identities = ExternalIdentity.objects.filter(user_id__in=ids).select_related("provider")
    provider_mfa = set()
    for identity in identities.order_by("provider__name"):
        rows[identity.user_id].providers.append(identity.provider.name)
        # MFA counts where the last sign-in proved it, or the provider enforces it itself.
        if identity.mfa_proven or identity.provider.mfa_at_provider:
            provider_mfa.add(identity.user_id)
    local_logins = set(
        AuditEvent.objects.filter(
            actor_id__in=ids, action=Action.LOGIN, reason="local_login", created_at__gte=cutoff
        ).values_list("actor_id", flat=True)
    )

    for row in rows.values():
        row.mfa = row.user_id in with_mfa or row.user_id in provider_mfa
        if row.privileged:
            row.flags.append(Flag.PRIVILEGED)
        if row.elsewhere:
            row.flags.append(Flag.SEVERAL)
        if not row.mfa:
            row.flags.append(Flag.NO_MFA)
        unused = _unused_flag(row.last_use, cutoff)
        if unused:
            row.flags.append(unused)
        if not row.is_active:
            row.flags.append(Flag.INACTIVE)
        if row.user_id in local_logins:
            row.flags.append(Flag.LOCAL_LOGIN)
    accounts = sorted(rows.values(), key=lambda row: (not row.privileged, row.username.lower()))

    keys = []
    tokens = (
        PartnerToken.objects.filter(municipalities=municipality)
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")
    )
    for token in tokens:
        key = KeyRow(
            organisation=token.organisation.name,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )
        # A revoked key grants nothing any more; only live keys can be left unused.
        unused = None if token.revoked_at else _unused_flag(token.last_used_at, cutoff)
        if unused:
            key.flags.append(unused)
        keys.append(key)
    return AccessReview(municipality, on, accounts, keys)


# --- The page and the CSV export ------------------------------------------------------------


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _flags(flags: list[Flag]) -> str:
    return ", ".join(str(flag.label) for flag in flags)


def _cell(value) -> str:
    """Text that a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_response(review: AccessReview) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"toegangsreview-{review.municipality.cbs_code}-{review.on.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # A byte order mark, so Excel reads the file as UTF-8.
    writer = csv.writer(response, delimiter=";")
    yes, no = _("ja"), _("nee")
    writer.writerow(
        [
            _("Soort"),
            _("Gebruikersnaam of sleutel"),
            _("Naam"),
            _("Organisatie"),
            _("Rollen"),
            _("Andere gemeenten"),
            _("Geprivilegieerd"),
            _("Actief"),
            _("MFA"),
            _("Uitgegeven"),
            _("Laatste login"),
            _("Laatst gebruikt"),
            _("Ingetrokken"),
            _("Aandachtspunten"),
        ]
    )
    for row in review.accounts:
        roles = ", ".join(
            f"{grant.label} ({timezone.localdate(grant.granted_at):%Y-%m-%d}, {grant.source})"
            for grant in row.grants
        )
        writer.writerow(
            [
                _cell(value)
                for value in (
                    _("gebruiker"),
                    row.username,
                    row.full_name,
                    row.organisation,
                    roles,
                    ", ".join(row.elsewhere),
                    yes if row.privileged else no,
                    yes if row.is_active else no,
                    yes if row.mfa else no,
                    "",
                    _moment(row.last_login),
                    _moment(row.last_use),
                    "",
                    _flags(row.flags),
                )
            ]
        )
    for key in review.keys:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    _("API-sleutel"),
                    f"nbr_{key.prefix}_…",
                    key.name,
                    key.organisation,
                    "",
                    "",
                    "",
                    no if key.revoked_at else yes,
                    "",
                    _moment(key.created_at),
                    "",
                    _moment(key.last_used_at),
                    _moment(key.revoked_at),
                    _flags(key.flags),
                )
            ]
        )
    return response


@municipality_view("accounts.access_review")
def report(request, municipality):
    review = build_review(municipality)
    output = "csv" if request.GET.get("format") == "csv" else "html"
    record(
        Action.EXPORT if output == "csv" else Action.VIEW,
        request=request,
        municipality=municipality,
        object_type="access_review",
        object_id=municipality.cbs_code,
        detail={"format": output, "accounts": len(review.accounts), "keys": len(review.keys)},
    )
    if output == "csv":
        return _csv_response(review)
    return render(
        request,
        "accounts/access_review.html",
        {"review": review, "unused_days": UNUSED_DAYS},
    )
