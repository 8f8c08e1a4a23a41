"""Production serves static files through WhiteNoise's compressed manifest storage, whose
collectstatic follows every url() and sourceMappingURL in the CSS and JS: a reference to a file
that is not shipped stops the deployment. This runs that very step."""

import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


class CollectstaticTests(SimpleTestCase):
    def test_production_collectstatic_finds_every_referenced_file(self):
        with tempfile.TemporaryDirectory() as root:
            with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
                # (Django's setting_changed receiver resets staticfiles_storage both ways.)
                call_command("collectstatic", "--noinput", verbosity=0, stdout=StringIO())
                js = staticfiles_storage.stored_name("ui/vendor/leaflet/leaflet.js")
                js_map = staticfiles_storage.stored_name("ui/vendor/leaflet/leaflet.js.map")
                css = staticfiles_storage.stored_name("ui/vendor/leaflet/leaflet.css")
                layers = staticfiles_storage.stored_name("ui/vendor/leaflet/images/layers.png")
            # The hashed copies point at the hashed files, which exist.
            tail = (Path(root) / js).read_text().rstrip().splitlines()[-1]
            self.assertEqual(tail, "//# sourceMappingURL=" + Path(js_map).name)
            self.assertIn(Path(layers).name, (Path(root) / css).read_text())
            for name in (js, js_map, css, layers):
                self.assertTrue((Path(root) / name).exists(), name)
