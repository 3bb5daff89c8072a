"""Empty cells say the same thing on every fleet page: a dash people see and
"not recorded" a screen reader says (a bare dash is read as "dash" or not
at all). `{{ value|or_not_recorded }}` for a plain value, `{% not_recorded %}`
where the value is shown as a link or formatted."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def not_recorded():
    return format_html(
        '<span class="not-recorded" aria-hidden="true">—</span><span class="visually-hidden">{}</span>',
        _("not recorded"),
    )


@register.filter(is_safe=True)
def or_not_recorded(value):
    """`value`, or the not-recorded mark when it is empty (None or "")."""
    if value is None or str(value) == "":
        return not_recorded()
    return conditional_escape(value)
