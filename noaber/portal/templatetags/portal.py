"""The sharing section of the case page: casusregie's template loads it, so `cases` needs
no import of the portal (which sits above it)."""

from django import template

from ..forms import ShareForm

register = template.Library()


@register.simple_tag
def share_form_for(case, bound=None):
    """The bound form with its errors after a failed post, else an empty one."""
    return bound or ShareForm(municipality=case.municipality)
