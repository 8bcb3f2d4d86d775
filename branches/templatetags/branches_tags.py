"""Template tags of the organization pages."""

import logging

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag(takes_context=True)
def organization_section(context, template_name: str, section_context: dict) -> str:
    """Render a section another app registered (branches.sections) with its own context.

    A section whose template is not there (an app mid-build) is left out and logged rather
    than taking the whole organization page down.
    """
    try:
        section_template = get_template(template_name)
    except TemplateDoesNotExist:
        logger.error("organization section template %s is missing", template_name)
        return ""
    with context.push(**section_context):
        return section_template.template.render(context)
