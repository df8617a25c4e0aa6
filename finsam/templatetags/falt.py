"""``{% falt field %}``: one form field as ``templates/_field.html`` writes it, built in Python.

Including ``_field.html`` costs a template render per field; the participant list's filters and
the board dashboard's period form include it several times per request (docs/performance.md,
section 3). The tag writes the same bytes (a test compares the two)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def falt(field):
    """One form field as ``templates/_field.html`` writes it: label, help text, errors, the
    widget."""
    errors = field.errors
    required = (
        format_html(' <span class="required" aria-hidden="true">{}</span>', "*")
        if field.field.required
        else ""
    )
    help_text = (
        format_html('<p class="help" id="{}_hjalp">{}</p>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    error_list = (
        format_html(
            '<div class="field-errors" id="{}_fel">{}</div>',
            field.auto_id,
            format_html_join("", "<p>{}</p>", ((error,) for error in errors)),
        )
        if errors
        else ""
    )
    return format_html(
        '<div class="field{}">\n  <label for="{}">{}{}</label>\n  {}\n  {}\n  {}\n</div>\n',
        " field--error" if errors else "",
        field.id_for_label,
        field.label,
        required,
        help_text,
        error_list,
        field,
    )
