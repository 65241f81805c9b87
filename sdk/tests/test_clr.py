"""``import clr`` under the SDK fails with an ImportError that names the host."""

import importlib
import subprocess
import sys
import textwrap

import pytest

from siphon_sdk import http_testing


def test_import_clr_raises_an_import_error_naming_the_host():
    with pytest.raises(ImportError) as info:
        importlib.import_module("clr")
    assert info.value.name == "clr"
    assert "only inside the Siphon host (siphon run)" in str(info.value)
    assert "pythonnet" in str(info.value)


def test_a_script_importing_clr_fails_to_load_in_the_harness_with_that_error(tmp_path):
    script = tmp_path / "uses_clr.py"
    script.write_text(textwrap.dedent("""
        from siphon import http
        import clr

        @http.route("/")
        def index(req):
            return http.Response(body="x")
        """))
    with pytest.raises(ImportError, match="only inside the Siphon host"):
        http_testing.HttpTestHarness().load_script(str(script))


def test_a_fresh_interpreter_gets_it_from_importing_siphon_alone():
    # `from siphon import http` first, as scripts do: the refusal is installed by then.
    out = subprocess.run([sys.executable, "-c", "from siphon import http\ntry:\n    import clr\nexcept ImportError as e:\n    print(type(e).__name__, 'siphon host' in str(e).lower())"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ImportError True"
