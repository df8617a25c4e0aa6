"""Form widgets shared by the apps.

``PlainSelect``, ``PlainTextInput``, ``PlainNumberInput`` and ``PlainDateInput`` write the same
bytes as Django's widget templates, in Python: Django renders one template per option and per
attribute list, which cost the list pages' filter forms more than their tables
(docs/performance.md, section 3).
Tests pin their output to Django's widgets (tests/insatser/test_list.py,
tests/deltagare/test_list_rows.py), so a Django upgrade that changes those templates fails
there.
"""

from __future__ import annotations

from django import forms
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.utils.html import format_html, format_html_join

_SELECT_TEMPLATES = ("django/forms/widgets/select.html", "django/forms/widgets/select_option.html")
_PLAIN = Context(autoescape=True)


def _text(value):
    """``{{ value }}`` in an autoescaping template (localized, escaped, marked safe)."""
    return render_value_in_context(value, _PLAIN)


def _joined(pieces):
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _attrs(attrs: dict):  # django/forms/widgets/attrs.html
    return _joined(
        format_html(" {}", _text(name))
        if value is True
        else format_html(' {}="{}"', _text(name), _text(stringformat(value, "s")))
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """``forms.Select`` producing the same bytes as Django's select templates, built in Python:
    those include one template per option and another per attribute list, which cost the insats
    list more than the rest of its filters (a test compares the two widgets' output)."""

    def _render(self, template_name, context, renderer=None):
        widget = context["widget"]
        options = [o for _name, group, _index in widget["optgroups"] for o in group]
        if (template_name, self.option_template_name) != _SELECT_TEMPLATES or any(
            o["template_name"] != _SELECT_TEMPLATES[1] for o in options
        ):
            return super()._render(template_name, context, renderer)
        groups = _joined(
            format_html('\n  <optgroup label="{}">{}\n  </optgroup>', _text(name), _options(group))
            if name
            else _options(group)
            for name, group, _index in widget["optgroups"]
        )
        name, attrs = _text(widget["name"]), _attrs(widget["attrs"])
        return format_html('<select name="{}"{}>{}\n</select>', name, attrs, groups)


def _options(group):  # django/forms/widgets/select_option.html, each after a line break
    return _joined(
        format_html(
            '\n  <option value="{}"{}>{}</option>\n',
            _text(stringformat(option["value"], "s")),
            _attrs(option["attrs"]),
            _text(option["label"]),
        )
        for option in group
    )


_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html" for name in ("input", "text", "number", "date")
}


class _PlainInput:
    """Like PlainSelect, for ``<input>`` (text.html, number.html and date.html only include
    input.html)."""

    def _render(self, template_name, context, renderer=None):
        if template_name not in _INPUT_TEMPLATES:
            return super()._render(template_name, context, renderer)
        widget = context["widget"]
        value = (
            format_html(' value="{}"', _text(stringformat(widget["value"], "s")))
            if widget["value"] is not None
            else ""
        )
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            _text(widget["type"]),
            _text(widget["name"]),
            value,
            _attrs(widget["attrs"]),
        )


class PlainTextInput(_PlainInput, forms.TextInput):
    pass


class PlainNumberInput(_PlainInput, forms.NumberInput):
    pass


class PlainDateInput(_PlainInput, forms.DateInput):
    pass
