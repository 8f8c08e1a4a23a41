"""Security alerts (BIO2): changes to privileged rights, and peaks in failed logins; and the
hourly clean-up of sessions that have ended."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from noaber.audit.models import Action, AuditEvent
from noaber.jobs.outbox import send_notice
from noaber.jobs.schedule import periodic, scheduled_run

from .models import Membership, ProviderSession, Role, User


def recipients(roles, municipality_ids=None) -> list[str]:
    users = User.objects.filter(is_active=True, memberships__role__in=roles).exclude(email="")
    if municipality_ids is not None:
        users = users.filter(memberships__municipality_id__in=municipality_ids)
    return sorted(set(users.values_list("email", flat=True)))


@task()
def notify_privileged_change(membership_id: int) -> int:
    """Tell the privacy officers of the municipality that someone got a privileged role."""
    membership = Membership.objects.select_related("user", "municipality").get(pk=membership_id)
    to = recipients([Role.PRIVACY], [membership.municipality_id])
    if not to:
        return 0
    return send_notice(
        f"privileged-role:{membership.pk}",
        _("Noaber: nieuwe bevoegdheid toegekend"),
        _(
            "Gebruiker %(user)s heeft de rol %(role)s gekregen in %(municipality)s. "
            "Controleer in het auditlog of dit klopt."
        )
        % {
            "user": membership.user.username,
            "role": membership.get_role_display(),
            "municipality": membership.municipality.name,
        },
        to,
        settings.DEFAULT_FROM_EMAIL,
    )


@periodic(hours=1)
@task()
def clear_ended_sessions() -> int:
    """Sessions past their idle timeout leave the database (Django keeps them until cleared),
    and sessions from an identity provider past their maximum age end, with the record of the
    provider session they came from (decision 0021). Returns how many provider sessions ended."""
    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    store.clear_expired()
    cutoff = timezone.now() - timedelta(seconds=settings.NOABER_SESSION_MAX_SECONDS)
    stale = list(ProviderSession.objects.filter(created_at__lt=cutoff))
    for row in stale:
        store(session_key=row.session_key).delete()
    ProviderSession.objects.filter(pk__in=[row.pk for row in stale]).delete()
    from .providers import forget_old_logout_tokens

    forget_old_logout_tokens()
    return len(stale)


@periodic(minutes=15)
@task()
def check_failed_login_peak() -> int:
    """Alert privacy officers and admins when failed logins in the last 15 minutes peak: one
    notice per scheduled run (a retry of the run mails nobody again), per quarter of an hour
    when run by hand."""
    now = timezone.now()
    since = now - timedelta(minutes=15)
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    failures = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, created_at__gte=since).count()
    if failures < settings.NOABER_FAILED_LOGIN_ALERT:
        return 0
    to = recipients([Role.PRIVACY, Role.ADMIN])
    if not to:
        return 0
    return send_notice(
        f"failed-login-peak:{scheduled_run(check_failed_login_peak) or quarter.isoformat()}",
        _("Noaber: veel mislukte inlogpogingen"),
        _(
            "In het afgelopen kwartier zijn %(count)d inlogpogingen mislukt. Bekijk het "
            "auditlog (handeling: inloggen mislukt) voor accounts en herkomst."
        )
        % {"count": failures},
        to,
        settings.DEFAULT_FROM_EMAIL,
    )


def notify_audit_incident(sender=None, problem: str = "", **kwargs) -> int:
    """The audit log's periodic check failed: e-mail every privacy officer, without content
    (what broke is in the application log and `verify_audit`; an e-mail leaves the system).
    One notice per problem per day: a check that keeps failing does not flood them."""
    to = recipients([Role.PRIVACY])
    if not to:
        return 0
    digest = hashlib.sha256(problem.encode()).hexdigest()[:16]
    return send_notice(
        f"audit-incident:{timezone.localdate().isoformat()}:{digest}",
        _("Noaber: beveiligingsincident bij het auditlog"),
        _(
            "De dagelijkse controle van het auditlog van Noaber is mislukt: het log is "
            "gewijzigd, ingekort of niet meer beschermd. Behandel dit als "
            "beveiligingsincident. Vraag de beheerder om de uitkomst van 'manage.py "
            "verify_audit'; het privacydashboard in Noaber toont de melding ook."
        ),
        to,
        settings.DEFAULT_FROM_EMAIL,
    )
