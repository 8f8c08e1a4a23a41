"""Listing every URL pattern with its view's declared access rule (for the access-matrix
and accessibility tests, and for anyone who wants the full map of Noaber's URLs)."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass
class Route:
    name: str  # namespaced URL name, e.g. "themes:edit"
    route: str  # the pattern as written, e.g. "m/<str:municipality>/themas/<int:pk>/bewerken/"
    callback: object
    kwargs: list[str]

    @property
    def rule(self):
        return getattr(self.callback, "access_rule", None)


def walk(patterns=None, prefix="", namespace=""):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                f"{namespace}{ns}:" if ns else namespace,
            )
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            kwargs = [part.split(":")[-1].split(">")[0] for part in route.split("<")[1:]]
            yield Route(f"{namespace}{entry.name or ''}", route, entry.callback, kwargs)


def undeclared(routes) -> list[str]:
    """Routes whose view declares no access rule: each is a security decision nobody made."""
    return [r.route for r in routes if r.rule is None]


def example_url(route: Route, municipality, examples: dict) -> str:
    """A concrete URL for `route` in `municipality`; `examples` maps URL names to functions
    that return the other URL arguments (the tests keep them: noaber/ui/tests/examples.py)."""
    kwargs = {}
    if "municipality" in route.kwargs:
        kwargs["municipality"] = municipality.cbs_code
    if route.name in examples:
        kwargs.update(examples[route.name](municipality))
    missing = set(route.kwargs) - set(kwargs)
    if missing:
        raise AssertionError(
            f"{route.route}: add {route.name!r} to noaber/ui/tests/examples.py for URL "
            f"arguments {missing}"
        )
    return reverse(route.name, kwargs=kwargs)
