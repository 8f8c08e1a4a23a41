"""In-process events of casusregie, for apps above `cases` that must act on them.

`cases` imports none of those apps; they subscribe in their AppConfig.ready(). Receivers run
inside the sending action's transaction: an exception in a receiver undoes the whole action.
"""

import django.dispatch

# Sent at the end of `close_case`, inside its transaction, with `case`, `keep_shares`
# ({share_pk: (until_date, reason)}: the shares the advisor keeps open after closing),
# `actor` and `request`.
case_closed = django.dispatch.Signal()

# Sent by `archiving.destroy_case`, inside its transaction, with `case`, before the case's
# own rows go. A receiver removes or wipes its app's rows about the case and returns True
# when it keeps a ledger row that still points at the case (then the case row stays, emptied).
case_destroying = django.dispatch.Signal()
