"""The header's personal links (base.html): ``{% personal_navigation as nav %}``."""

from django import template

from institutions import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def personal_navigation(context) -> navigation.PersonalNavigation:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None:  # a page rendered without a request (the 500 page has its own template)
        return navigation.PersonalNavigation(home=None, reports=False, audit_log=False, admin=False)
    return navigation.personal_navigation(user)
