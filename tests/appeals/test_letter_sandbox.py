"""Letter templates are sandboxed: no Python internals, no files or URLs outside the package."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from denialscope.appeals.letters import TEMPLATES_DIR, render_html, render_pdf
from denialscope.errors import ConfigurationError
from denialscope.settings import Settings

_HTML = "<html><body><p>Appeal</p>{extra}</body></html>"


def _org_template(data_dir: Path, body: str) -> None:
    folder = data_dir / "appeals" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "attack.html.j2").write_text(body, encoding="utf-8")


@pytest.mark.parametrize(
    "body",
    [
        "{{ cycler.__init__.__globals__.os.popen('echo PWNED').read() }}",
        "{{ joiner.__init__.__globals__['os'].system('true') }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ lipsum.__globals__['os'].getcwd() }}",
    ],
)
def test_a_template_cannot_reach_python_internals(data_dir: Path, body: str) -> None:
    _org_template(data_dir, body)
    with pytest.raises(ConfigurationError, match="tried something a letter may not do"):
        render_html({}, "attack", settings=Settings(data_dir=data_dir, database_url="sqlite://"))


def test_a_template_cannot_mutate_what_it_is_given(data_dir: Path) -> None:
    _org_template(data_dir, "{{ argument.append('forged') }}{{ argument }}")
    argument = ["real"]
    with pytest.raises(ConfigurationError):
        render_html(
            {"argument": argument},
            "attack",
            settings=Settings(data_dir=data_dir, database_url="sqlite://"),
        )
    assert argument == ["real"]


def test_plain_templates_still_render(data_dir: Path) -> None:
    _org_template(data_dir, "{% for p in argument %}<p>{{ p }}</p>{% endfor %}")
    html = render_html(
        {"argument": ["a", "<b>"]},
        "attack",
        settings=Settings(data_dir=data_dir, database_url="sqlite://"),
    )
    assert html == "<p>a</p><p>&lt;b&gt;</p>"


@pytest.mark.parametrize(
    "extra",
    [
        '<link rel="attachment" href="file:///etc/passwd">',
        '<img src="file:///etc/hostname">',
        f'<link rel="attachment" href="file://{TEMPLATES_DIR}/../letters.py">',
        '<link rel="attachment" href="../letters.py">',
        '<link rel="stylesheet" href="ftp://127.0.0.1/x.css">',
    ],
)
def test_the_pdf_may_not_read_files_outside_the_package_assets(extra: str) -> None:
    with pytest.raises(ConfigurationError, match="may only use the images and stylesheets"):
        render_pdf(_HTML.format(extra=extra))


@pytest.fixture
def web_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            return

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_the_pdf_makes_no_web_requests(web_server: tuple[str, list[str]]) -> None:
    url, hits = web_server
    extra = f'<link rel="stylesheet" href="{url}/x.css"><img src="{url}/logo.png">'
    with pytest.raises(ConfigurationError, match=r"http://127\.0\.0\.1"):
        render_pdf(_HTML.format(extra=extra))
    assert hits == []


def test_the_package_assets_and_inline_images_are_allowed() -> None:
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
        "nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
    )
    extra = f'<link rel="attachment" href="index.yaml"><img src="{pixel}">'
    pdf = render_pdf(_HTML.format(extra=extra))
    assert pdf.startswith(b"%PDF-")
    # The attachment is the package's own index.yaml, embedded as a file in the PDF.
    assert b"EmbeddedFile" in pdf
