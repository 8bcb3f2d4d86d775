"""Template tags every app uses: masked ID numbers and phones, percentages, query strings,
filter forms' fields."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.http import QueryDict
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.privacy import mask_id_number, mask_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination and sorting)."""
    request = context.get("request")
    query: QueryDict = request.GET.copy() if request else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value)


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value)


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.8812 → "88.1%"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


# --- Filter forms' fields, built in Python -------------------------------------------------------
# crispy's bootstrap5 field template costs ~1 ms a field (a dozen includes each); a list page's
# filter form has ten or more. `filter_field` writes the same markup as `as_crispy_field` for
# the widgets filter forms use (tests/core/test_filter_field.py compares the two) and leaves
# any other widget to crispy.

_CRISPY_LEFT_TO = (
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
    forms.FileInput,
    forms.MultiWidget,
)


def _widget_class(widget, bootstrap: str) -> str:
    """The class crispy's `crispy_field` gives a widget: its own, its type's name, then ours."""
    name = widget.__class__.__name__.lower()
    classes = widget.attrs.get("class", "")
    if name not in classes:
        classes = f"{classes} {name}" if classes else name
    present = classes.split()
    return " ".join([*present, *(c for c in bootstrap.split() if c not in present)])


def _help_and_errors(bound) -> str:
    parts = []
    if bound.errors:
        errors = "".join(
            f'<p id="error_{n}_{bound.auto_id}"><strong>{conditional_escape(error)}</strong></p>'
            for n, error in enumerate(bound.errors, start=1)
        )
        parts.append(f'<div id="{bound.auto_id}_error" class="invalid-feedback">{errors}</div>')
    if bound.help_text:
        parts.append(
            f'<div id="{bound.auto_id}_helptext" class="form-text">{bound.help_text}</div>'
        )
    return "".join(parts)


@register.filter
def filter_field(bound) -> str:
    """A bound field as crispy's bootstrap5 `as_crispy_field` renders it (label, widget with
    Bootstrap's class, errors, help text), written in Python."""
    widget = bound.field.widget
    if bound.is_hidden:
        return str(bound)
    if isinstance(widget, _CRISPY_LEFT_TO):
        return as_crispy_field(bound)
    invalid = " is-invalid" if bound.errors else ""
    required = " requiredField" if bound.field.required else ""
    asterisk = '<span class="asteriskField">*</span>' if bound.field.required else ""
    label = conditional_escape(bound.label)
    css = bound.css_classes()
    if isinstance(widget, forms.CheckboxInput):
        control = bound.as_widget(
            attrs={"class": _widget_class(widget, "form-check-input" + invalid)}
        )
        return mark_safe(
            f'<div class="mb-3"><div id="div_{bound.auto_id}" class="form-check'
            f'{" " + css if css else ""}">{control}'
            f'<label for="{bound.id_for_label}" class="form-check-label{required}">'
            f"{label}{asterisk}</label>{_help_and_errors(bound)}</div></div>"
        )
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    control = bound.as_widget(attrs={"class": _widget_class(widget, bootstrap + invalid)})
    label_html = (
        f'<label for="{bound.id_for_label}" class="form-label{required}">{label}{asterisk}</label>'
        if bound.label
        else ""
    )
    return mark_safe(
        f'<div id="div_{bound.auto_id}" class="mb-3{" " + css if css else ""}">'
        f"{label_html}{control}{_help_and_errors(bound)}</div>"
    )
