from django.contrib.auth.password_validation import MinimumLengthValidator as DjangoMinimumLength
from django.utils.translation import gettext as _


class MinimumLengthValidator(DjangoMinimumLength):
    """Django's rule with a Dutch message (Django's own Dutch catalogue lacks this plural)."""

    def get_error_message(self):
        return _("Dit wachtwoord is te kort: gebruik minstens %(min_length)d tekens.") % {
            "min_length": self.min_length
        }

    def get_help_text(self):
        return _("Uw wachtwoord moet minstens %(min_length)d tekens lang zijn.") % {
            "min_length": self.min_length
        }
