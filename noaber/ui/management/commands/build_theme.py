from django.core.management.base import BaseCommand, CommandError

from noaber.ui import theme


class Command(BaseCommand):
    help = (
        "Compile the design tokens (noaber/ui/tokens/*.tokens.json) to "
        "noaber/ui/static/ui/noaber-theme.css; --check only compares."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Fail when the committed stylesheet differs from what the tokens compile to.",
        )

    def handle(self, *args, check=False, **options):
        try:
            css = theme.build()
        except theme.TokenError as error:
            raise CommandError(str(error)) from error
        missing = theme.uncovered()
        if missing:
            raise CommandError(
                "These properties are read by components in use but have no token: "
                + ", ".join(sorted(missing))
            )
        current = theme.THEME_CSS.read_text(encoding="utf-8") if theme.THEME_CSS.exists() else ""
        if check:
            if css != current:
                raise CommandError(
                    f"{theme.THEME_CSS} is out of date: run `manage.py build_theme`."
                )
            self.stdout.write("noaber-theme.css komt overeen met de tokens.")
            return
        theme.THEME_CSS.write_text(css, encoding="utf-8")
        self.stdout.write(f"{theme.THEME_CSS}: {css.count(chr(10)) - 3} eigenschappen geschreven.")
