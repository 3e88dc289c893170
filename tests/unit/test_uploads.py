"""Uploads in the back office (product images, CSV imports) and the file routes (/static, /media):
a file is judged by its bytes, never by its name or declared type; too large is refused with a message;
a stored file gets the shop's own name inside the media directory, whatever name it came with; and
no path, however encoded, reads a file from outside the directory a route serves."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from urllib.parse import unquote

import httpx2 as httpx
import pytest

from storefront.app import STATIC, create_app
from storefront.domain.catalogue import editing, spreadsheet
from storefront.domain.models import AuditEntry, Product, ProductImage, StaffRole, Variant
from storefront.domain.staff import accounts
from storefront.settings import ROOT
from tests.unit import factories as f

PASSWORD = "correct horse battery"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SAFE_SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><path d='M0 0h1v1z'/></svg>"
OUR_NAME = re.compile(r"products/\d+-[0-9a-f]{16}\.(png|jpg|webp|svg)")
# Names that would land outside the media directory, or somewhere else in it, if ever used as a path.
NAMES = [
    "../../escaped.png",
    "../../secret.txt",
    "../../../../tmp/evil.png",
    "/etc/passwd",
    "..\\..\\evil.png",
    "C:\\Windows\\evil.png",
    "evil\x00.png.html",
    "%2e%2e%2f%2e%2e%2fevil.png",
    "....//....//evil.png",
    "x" * 2000 + ".png",
    "évil ☕.png",
    ".htaccess",
]
# Content that is not an image, whatever it is called or declared to be.
LIES = [
    (b"<!doctype html><script>alert(document.cookie)</script>", "Upload a PNG, JPEG, WebP or SVG image."),
    (b"<html><body onload=alert(1)>", "Upload a PNG, JPEG, WebP or SVG image."),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "contains scripts"),
    (
        b"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><svg>&x;</svg>",
        "contains scripts",
    ),
    (
        b"<svg xmlns='http://www.w3.org/2000/svg'><foreignObject><iframe src='//evil.example'/></foreignObject></svg>",
        "contains scripts",
    ),
    (b"MZ\x90\x00 an executable", "Upload a PNG, JPEG, WebP or SVG image."),
    (b"%PDF-1.7 a document", "Upload a PNG, JPEG, WebP or SVG image."),
    (b"GIF89a\x01\x00\x01\x00", "Upload a PNG, JPEG, WebP or SVG image."),
]


@pytest.fixture
async def shop(db, settings, tmp_path):
    """Staff logged in; a file beside the media directory that must never be read or overwritten."""
    (tmp_path / "secret.txt").write_text("the shop's secret")
    tee = await f.product(
        "Tee", await f.category("Clothing"), [{"price": 1000, "stock": 9, "sku": "TEE-1"}], image=False
    )
    await accounts.create("owner@bottega.example", PASSWORD, StaffRole.OWNER)

    async def client_for(settings):
        app = create_app(settings, manage_db=False)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://shop.test")
        token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/admin/login")).text).group(1)
        await client.post(
            "/admin/login", data={"csrf_token": token, "email": "owner@bottega.example", "password": PASSWORD}
        )
        client.token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/admin")).text).group(1)
        client.app = app
        return client

    client = await client_for(settings)
    yield {"client": client, "client_for": client_for, "tee": tee, "settings": settings, "root": tmp_path}
    await client.aclose()


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


async def upload(client, product: Product, name: str, content: bytes, declared: str = "image/png"):
    return await client.post(
        f"/admin/products/{product.id}/images",
        data={"csrf_token": client.token, "alt": "x"},
        files={"image": (name, content, declared)},
    )


def assert_only_our_files(root: Path, expected: dict[str, bytes]) -> None:
    """Everything on disk is the secret beside the media directory and the images under our own names."""
    found = files_under(root)
    assert found.pop("secret.txt") == b"the shop's secret"
    assert {k.removeprefix("media/"): v for k, v in found.items()} == expected
    assert all(OUR_NAME.fullmatch(path) for path in expected)


def where_a_name_would_land(root: Path) -> dict[str, bytes | None]:
    """Each file a name would reach if it were joined to the images' folder, with what it holds now."""
    landing = {}
    for name in NAMES:
        path = os.path.normpath(root / "media" / "products" / name.replace("\x00", ""))
        try:
            landing[path] = Path(path).read_bytes() if os.path.isfile(path) else None
        except OSError:  # a name too long for the file system lands nowhere
            pass
    return landing


async def test_any_file_name_is_replaced_by_the_shops_own(shop):
    client, tee, root = shop["client"], shop["tee"], shop["root"]
    landing = where_a_name_would_land(root)
    stored = {}
    for n, name in enumerate(NAMES):
        content = PNG + bytes([n])  # each file its own bytes, to find it again
        response = await upload(client, tee, name, content)
        assert response.status_code == 303, (name, response.status_code)
        image = await ProductImage.filter(product_id=tee.id).order_by("-id").first()
        stored[image.path] = content
        assert_only_our_files(root, stored)
    assert await ProductImage.filter(product_id=tee.id).count() == len(NAMES)
    assert where_a_name_would_land(root) == landing  # nothing written or overwritten there, in or out of root
    # Each is served back from /media under that name, as the type its bytes are.
    for path, content in stored.items():
        served = await client.get(f"/media/{path}")
        assert served.content == content and served.headers["content-type"] == "image/png"
        assert served.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(("content", "message"), LIES, ids=[c[:14].decode("latin-1") for c, _ in LIES])
@pytest.mark.parametrize(
    ("name", "declared"), [("photo.png", "image/png"), ("photo.svg", "image/svg+xml"), ("../photo.jpg", "image/jpeg")]
)
async def test_content_that_lies_about_its_type_is_refused_and_nothing_is_written(
    shop, content, message, name, declared
):
    response = await upload(shop["client"], shop["tee"], name, content, declared)
    assert response.status_code == 422 and message in response.text
    assert await ProductImage.all().count() == 0 and await AuditEntry.filter(action="product.image").count() == 0
    assert_only_our_files(shop["root"], {})


async def test_an_image_is_judged_by_its_bytes_not_by_its_declared_type(shop):
    client, tee = shop["client"], shop["tee"]
    for name, content, declared, kind in [
        ("page.html", PNG, "text/html", "png"),
        ("logo.png", SAFE_SVG, "image/png", "svg"),
    ]:
        assert (await upload(client, tee, name, content, declared)).status_code == 303
        image = await ProductImage.filter(product_id=tee.id).order_by("-id").first()
        assert image.path.endswith(f".{kind}")
        served = await client.get(f"/media/{image.path}")
        assert served.headers["content-type"].startswith({"png": "image/png", "svg": "image/svg+xml"}[kind])
        assert "script-src 'self'" in served.headers["content-security-policy"]


async def test_too_large_images_are_refused_by_the_body_limit_and_by_the_image_limit(shop):
    too_large = PNG + b"\x00" * editing.MAX_IMAGE_BYTES
    response = await upload(shop["client"], shop["tee"], "big.png", too_large)
    assert response.status_code == 413  # the whole request is over the shop's 2 MB body limit
    # With a larger body limit (a proxy configured differently), the image's own limit still holds.
    roomy = await shop["client_for"](shop["settings"].override(max_body_size=8 * 1024 * 1024))
    try:
        response = await upload(roomy, shop["tee"], "big.png", too_large)
        assert response.status_code == 422 and "The file is larger than 2 MB." in response.text
    finally:
        await roomy.aclose()
    assert await ProductImage.all().count() == 0
    assert_only_our_files(shop["root"], {})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("products.csv", PNG, "Save the file as UTF-8 CSV and try again."),
        ("products.csv", "sku,name\r\n1,Tè".encode("utf-16"), "Save the file as UTF-8 CSV and try again."),
        ("../../products.csv", b"<!doctype html><script>alert(1)</script>", "missing"),
        ("products.csv", b"", "Choose a CSV file."),
        (
            "products.csv",
            ("\n".join([",".join(spreadsheet.COLUMNS)] + ["x" * 100] * 12_000)).encode(),
            "The file is larger than 1 MB.",
        ),
    ],
    ids=["a PNG", "UTF-16", "HTML", "empty", "over 1 MB"],
)
async def test_csv_imports_that_are_not_a_catalogue_are_refused_and_nothing_is_kept(shop, name, content, message):
    before = await Variant.all().count(), await Product.all().count()
    client = shop["client"]
    for action in ("dry_run", "apply"):
        response = await client.post(
            "/admin/products/import",
            data={"csrf_token": client.token, "action": action},
            files={"file": (name, content, "text/csv")},
        )
        assert response.status_code == 422, (action, response.status_code)
        assert message.lower() in response.text.lower()
    assert (await Variant.all().count(), await Product.all().count()) == before
    assert_only_our_files(shop["root"], {})  # an import is read, never stored


# --- the file routes ------------------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../pyproject.toml",
    "/static/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2fpyproject.toml",
    "/static/..%2fpyproject.toml",
    "/static/..%5cpyproject.toml",
    "/static/%252e%252e%252fpyproject.toml",
    "/static/....//pyproject.toml",
    "/static/img/../../pyproject.toml",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..%00/pyproject.toml",
    "/static/%c0%ae%c0%ae/pyproject.toml",
    "/media/../secret.txt",
    "/media/%2e%2e/secret.txt",
    "/media/%2e%2e%2fsecret.txt",
    "/media/..%5csecret.txt",
    "/media/products/../../secret.txt",
    "/media//etc/passwd",
    "/media/%2fetc%2fpasswd",
    "/media/../../../../../../etc/passwd",
]


async def raw_get(app, raw: str) -> tuple[int, bytes]:
    """A GET with the path exactly as a client may send it (httpx would tidy "/../" away before sending);
    like uvicorn, the app gets the path percent-decoded and the raw bytes beside it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": unquote(raw),
        "raw_path": raw.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"shop.test")],
        "client": ("127.0.0.1", 1),
        "server": ("shop.test", 443),
    }
    sent: list[dict] = []
    asked, done = False, asyncio.Event()

    async def receive():
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the whole answer is sent
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def test_no_path_reads_a_file_from_outside_static_or_media(shop):
    app = shop["client"].app
    (shop["root"] / "media" / "products").mkdir(parents=True)  # as in a shop with images
    assert (ROOT / "pyproject.toml").exists() and (STATIC / "site.css").exists()
    leaked = {b"[project]", b"the shop's secret", b"root:x:0:0"}
    for raw in TRAVERSALS:
        status, body = await raw_get(app, raw)
        assert status == 404, (raw, status)
        assert not any(secret in body for secret in leaked), raw
    assert (await raw_get(app, "/static/site.css"))[0] == 200  # the routes do serve their own files
