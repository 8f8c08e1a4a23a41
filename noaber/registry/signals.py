"""In-process events of the register, for apps above `registry` that must act on them.

`registry` imports none of those apps; they subscribe in their AppConfig.ready(). Receivers
run inside the sending action's transaction: an exception in a receiver undoes the action.
"""

import django.dispatch

# Sent by `disclose` after a verstrekking is recorded, with `disclosure`, `actor`, `request`.
disclosure_recorded = django.dispatch.Signal()

# Sent by `actions.run_retention` (`manage.py apply_retention` and the daily task) after the
# register's own run, with `today` (a date or None) and `dry_run`. A receiver destroys what its
# app has due and returns a report dict: {"kind", "due", "done", "skipped": [(number, reason)]}.
retention_due = django.dispatch.Signal()
