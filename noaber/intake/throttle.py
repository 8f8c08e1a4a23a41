"""Rate limits for the public endpoints, counted per keyed digest of the client address.

The address itself is never stored: only HMAC(secret key, address), which cannot be turned
back into an address without the key. Counts live in the database (ThrottleHit) so that every
web worker sees the same numbers; the daily prune task removes hits older than a day.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from noaber.audit.actions import client_origin

from .models import ThrottleHit


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    minutes: int


# Ten reports an hour from one address (a family or an office shares one); five wrong receipt
# codes in ten minutes; thirty follow-up messages an hour. Settings may change the counts
# (bench/intake.py raises them to measure throughput from one address).
REPORTS = Limit("report", settings.NOABER_THROTTLE_REPORTS_PER_HOUR, 60)
FAILED_LOOKUPS = Limit("lookup_failed", 5, 10)
MESSAGES = Limit("message", 30, 60)
# Per partner API key rather than per address: a partner's system sends in bulk, but a leaked
# key must not flood the inbox.
PARTNER = Limit("partner", 600, 60)

TOO_MANY = _(
    "U heeft dit te vaak geprobeerd. Wacht even en probeer het later opnieuw. Is het dringend? "
    "Bel dan 112 bij spoed of 0900-8844 voor de politie."
)


def client_key(request) -> str:
    address = client_origin(request) or "unknown"
    return hmac.new(
        settings.SECRET_KEY.encode(), b"throttle:" + address.encode(), hashlib.sha256
    ).hexdigest()


def _recent(limit: Limit, key: str):
    since = timezone.now() - timedelta(minutes=limit.minutes)
    return ThrottleHit.objects.filter(scope=limit.scope, client=key, at__gte=since)


def exceeded(limit: Limit, request, key: str | None = None) -> bool:
    return _recent(limit, key or client_key(request)).count() >= limit.count


def count(limit: Limit, request, key: str | None = None) -> None:
    ThrottleHit.objects.create(
        scope=limit.scope, client=key or client_key(request), at=timezone.now()
    )


def prune(older_than_hours: int = 24) -> int:
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    return ThrottleHit.objects.filter(at__lt=cutoff).delete()[0]
