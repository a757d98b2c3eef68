"""Runs every ```python snippet of docs/python.md, in order, in one namespace,
from the repository's root directory (skipped when the module is not built)."""
import contextlib
import io
import os
import re
import unittest

try:
    import hass  # noqa: F401
except ImportError:
    hass = None

SOURCE = os.environ.get("HASS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DOC = os.path.join(SOURCE, "docs", "python.md")


@unittest.skipIf(hass is None, "the hass Python module is not built")
class DocSnippets(unittest.TestCase):
    def test_snippets_run(self):
        with open(DOC) as f:
            snippets = re.findall(r"```python\n(.*?)```", f.read(), re.S)
        self.assertGreaterEqual(len(snippets), 5)
        namespace = {"__name__": "docs_python"}
        cwd = os.getcwd()
        os.chdir(SOURCE)
        try:
            for k, code in enumerate(snippets, 1):
                out = io.StringIO()
                with self.subTest(snippet=k), contextlib.redirect_stdout(out):
                    exec(compile(code, f"docs/python.md snippet {k}", "exec"), namespace)
        finally:
            os.chdir(cwd)
        self.assertIn("oracle failed: the evaluation data is missing", out.getvalue())


if __name__ == "__main__":
    unittest.main()
