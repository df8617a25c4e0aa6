"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join


def _attrs(attrs: dict) -> str:
    """Attributes as ``django/forms/widgets/attrs.html`` writes them, in the same order."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class FastSelect(forms.Select):
    """A ``Select`` written in Python: the markup of Django's ``select.html`` and
    ``select_option.html`` templates (same attributes, same escaping) without one template
    render per option, about 0.15 ms each. Used on the filter forms of the list pages, which
    render on every request (docs/performance.md, section 3)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            inner = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((o["value"], _attrs(o["attrs"]), o["label"]) for o in options),
            )
            if group_name:
                inner = format_html('<optgroup label="{}">{}</optgroup>', group_name, inner)
            groups.append((inner,))
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            _attrs(widget["attrs"]),
            format_html_join("", "{}", groups),
        )
