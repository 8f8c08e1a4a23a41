"""All reference data in data/reference, in dependency order (idempotent; only adds).

Used by `manage.py load_reference_data`, `seed_demo` and the test cases, so a new app's
reference data is loaded everywhere by adding one line here.
"""


def load_all() -> int:
    from noaber.accounts.reference import load_municipalities, load_organisations
    from noaber.audit.reference import load_processing_activities
    from noaber.cases.reference import load_case_reference
    from noaber.insight.reference import load_indicators
    from noaber.intake.reference import load_intake_reference
    from noaber.policy.reference import load_plans
    from noaber.registry.reference import load_registry_reference
    from noaber.themes.reference import (
        link_organisations_to_themes,
        load_handling_terms,
        load_themes,
    )

    return (
        load_processing_activities()
        + load_municipalities()
        + load_organisations()
        + load_themes()
        + link_organisations_to_themes()
        + load_handling_terms()
        + load_intake_reference()
        + load_registry_reference()
        + load_case_reference()
        + load_indicators()
        + load_plans()
    )
