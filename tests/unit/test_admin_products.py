"""Products in the back office over HTTP: the list, the edit form's 422s, listed or not (the shop follows at
once), image uploads checked by their bytes, and the usual guards (login, CSRF)."""

from __future__ import annotations

import pytest

from storefront.domain.catalogue import editing
from storefront.domain.forms import FieldErrors
from storefront.domain.models import AuditEntry, Product, ProductImage, StockMovement, Variant
from storefront.pages import admin as admin_pages
from tests.unit import factories as f
from tests.unit.test_admin_stock import csrf, log_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
async def tee(db) -> Product:
    spec = {"price": 3900, "stock": 5, "sku": "MAG-NER-M", "options": {"colour": "Nero", "size": "M"}}
    return await f.product("Maglietta", await f.category("Clothing"), [spec])


def product_form(token: str, product: Product | None = None, **fields) -> dict:
    base = {
        "csrf_token": token,
        "name": "Tazza grande",
        "slug": "",
        "category_id": "",
        "description": "",
        "tax_class": "standard",
        "active": "on",
    }
    if product is not None:
        base.update(name=product.name, slug=product.slug, category_id=str(product.category_id))
    return {**base, **fields}


async def test_anonymous_visitors_are_sent_to_the_login(client, tee):
    for url in (
        "/admin/products",
        f"/admin/products/{tee.id}",
        "/admin/products/new",
        "/admin/products/import",
        "/admin/products/export.csv",
    ):
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/admin/login?next=")
    token = await csrf(client)
    response = await client.post(f"/admin/products/{tee.id}/active", data={"csrf_token": token, "active": "0"})
    assert response.status_code == 303 and response.headers["location"].startswith("/admin/login")
    assert (await Product.get(id=tee.id)).active


async def test_changes_need_the_csrf_token(client, tee):
    await log_in(client)
    response = await client.post(f"/admin/products/{tee.id}/active", data={"csrf_token": "forged", "active": "0"})
    assert response.status_code == 403 and (await Product.get(id=tee.id)).active
    response = await client.post(f"/admin/products/{tee.id}", data=product_form("forged", tee, name="Hacked"))
    assert response.status_code == 403 and (await Product.get(id=tee.id)).name == "Maglietta"


async def test_the_list_shows_variants_prices_stock_and_filters(client, tee):
    await f.product(
        "Tazza",
        await f.category("Kitchen"),
        [{"price": 900, "stock": 2, "sku": "TAZ-BIA"}, {"price": 1200, "stock": 1, "sku": "TAZ-NER"}],
    )
    await log_in(client)
    page = (await client.get("/admin/products")).text
    assert "2 products" in page and "Maglietta" in page and "Tazza" in page
    found = (await client.get("/admin/products?q=taz-ner")).text  # by SKU
    assert "1 product" in found and "Tazza" in found and "Maglietta" not in found
    assert "€9.00 – €12.00" in found.replace("\xa0", " ") and '<td data-label="Stock" class="num">3</td>' in found
    assert "No products match." in (await client.get("/admin/products?state=inactive")).text


async def test_deactivating_hides_the_product_from_the_shop_at_once(client, tee):
    assert "Maglietta" in (await client.get("/search?q=maglietta")).text
    token = await log_in(client)
    response = await client.post(
        f"/admin/products/{tee.id}/active",
        headers={"HX-Request": "true"},
        data={"csrf_token": token, "active": "0", "next": "/admin/products"},
    )
    assert response.status_code == 200 and response.text.lstrip().startswith(
        f'<tr id="product-{tee.id}" class="inactive"'
    )
    assert "is hidden from the shop" in response.text
    assert "Maglietta" not in (await client.get("/search?q=maglietta")).text
    assert (await client.get(f"/p/{tee.slug}")).status_code == 404
    entry = await AuditEntry.get(action="product.deactivate")
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})
    response = await client.post(f"/admin/products/{tee.id}/active", data={"csrf_token": token, "active": "1"})
    assert response.status_code == 303
    assert "Maglietta" in (await client.get("/search?q=maglietta")).text


async def test_form_fields_keep_their_limits_and_browser_hints(client, tee):
    """The macros' attributes reach the browser as attributes, not as escaped text it ignores."""
    await log_in(client)
    page = (await client.get("/admin/products/new")).text
    assert 'maxlength="160"' in page and 'autocomplete="off"' in page and "&quot;" not in page


async def test_a_new_product_gets_a_slug_from_its_name_and_an_audit_entry(client, tee):
    token = await log_in(client)
    response = await client.post(
        "/admin/products/new", data=product_form(token, name="Caffè  Espresso", category_id=str(tee.category_id))
    )
    assert response.status_code == 303
    product = await Product.get(slug="caffe-espresso")
    assert response.headers["location"] == f"/admin/products/{product.id}"
    assert (await AuditEntry.get(action="product.create")).after["name"] == "Caffè Espresso"
    assert "Product saved." in (await client.get(response.headers["location"])).text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Required."),
        ({"category_id": ""}, "Choose one."),
        ({"slug": "Not A Slug!"}, "Use lower-case letters"),
        ({"tax_class": "zero"}, "Choose one."),
    ],
)
async def test_product_mistakes_are_refused_with_422_beside_the_field(client, tee, fields, message):
    token = await log_in(client)
    response = await client.post(f"/admin/products/{tee.id}", data=product_form(token, tee, **fields))
    assert response.status_code == 422 and message in response.text and 'aria-invalid="true"' in response.text
    assert await AuditEntry.all().count() == 0


async def test_a_taken_slug_is_refused_clearly(client, tee):
    other = await f.product("Tazza", await f.category("Kitchen"))
    token = await log_in(client)
    response = await client.post(f"/admin/products/{other.id}", data=product_form(token, other, slug=tee.slug))
    assert response.status_code == 422 and "Already used elsewhere in the catalogue" in response.text
    assert (await Product.get(id=other.id)).slug != tee.slug


async def test_editing_records_before_and_after(client, tee):
    token = await log_in(client)
    response = await client.post(
        f"/admin/products/{tee.id}", data=product_form(token, tee, name="Maglietta nera", tax_class="reduced")
    )
    assert response.status_code == 303
    entry = await AuditEntry.get(action="product.update")
    assert entry.before == {"name": "Maglietta", "tax_class": "standard"}
    assert entry.after == {"name": "Maglietta nera", "tax_class": "reduced"}


async def test_a_new_variant_takes_options_euro_prices_and_opening_stock_through_the_ledger(client, tee):
    token = await log_in(client)
    size_l = await f.option_value("size", "L")
    colour = await f.option_value("colour", "Nero")
    data = {
        "csrf_token": token,
        "sku": "MAG-NER-L",
        "price": "12,50",
        "compare_at_price": "15",
        "weight_grams": "180",
        "low_stock_threshold": "2",
        "opening_stock": "7",
        "option-size": str(size_l.id),
        "option-colour": str(colour.id),
    }
    response = await client.post(f"/admin/products/{tee.id}/variants", data=data)
    assert response.status_code == 303
    variant = await Variant.get(sku="MAG-NER-L").prefetch_related("option_values")
    assert (variant.price, variant.compare_at_price, variant.weight_grams, variant.stock) == (1250, 1500, 180, 7)
    assert sorted(v.name for v in variant.option_values) == ["L", "Nero"]
    movement = await StockMovement.get(variant_id=variant.id)
    assert (movement.delta, movement.reason) == (7, "received")
    found = await client.get("/search?q=mag-ner-l")  # the new SKU opens its product
    assert found.headers["location"] == f"/p/{tee.slug}?v={variant.id}"
    again = await client.post(f"/admin/products/{tee.id}/variants", data=data)
    assert again.status_code == 422 and "Already used" in again.text


async def test_variant_mistakes_are_422(client, tee):
    token = await log_in(client)
    variant = await Variant.get(product_id=tee.id)
    response = await client.post(
        f"/admin/products/{tee.id}/variants/{variant.id}",
        data={
            "csrf_token": token,
            "sku": "MAG-NER-M",
            "price": "12,5O",
            "compare_at_price": "1",
            "weight_grams": "heavy",
        },
    )
    assert response.status_code == 422
    assert "Enter an amount in euros" in response.text and "Enter a whole number." in response.text
    assert (await Variant.get(id=variant.id)).price == 3900


async def test_updating_a_variant_price_is_audited(client, tee):
    token = await log_in(client)
    variant = await Variant.get(product_id=tee.id).prefetch_related("option_values")
    data = {"csrf_token": token, "sku": "MAG-NER-M", "price": "35", "low_stock_threshold": "3"}
    for value in variant.option_values:
        data[f"option-{value.id}"] = str(value.id)
    response = await client.post(f"/admin/products/{tee.id}/variants/{variant.id}", data=data)
    assert response.status_code == 303 and (await Variant.get(id=variant.id)).price == 3500
    entry = await AuditEntry.get(action="variant.update")
    assert entry.before["price"] == 3900 and entry.after["price"] == 3500


async def test_images_are_stored_under_our_own_name(client, tee, settings):
    token = await log_in(client)
    response = await client.post(
        f"/admin/products/{tee.id}/images",
        data={"csrf_token": token, "alt": "Front"},
        files={"image": ("../../etc/passwd.png", PNG, "image/png")},
    )
    assert response.status_code == 303
    image = await ProductImage.filter(product_id=tee.id).order_by("-id").first()
    assert image.path.startswith(f"products/{tee.id}-") and image.path.endswith(".png") and ".." not in image.path
    assert (settings.media_dir / image.path).read_bytes() == PNG
    served = await client.get(f"/media/{image.path}")
    assert served.content == PNG and served.headers["cache-control"] == "public, max-age=604800"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not allowed", "Upload a PNG, JPEG, WebP or SVG image."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "contains scripts"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'></svg>", "contains scripts"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><a href='javascript:alert(1)'/></svg>", "contains scripts"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><image href='https://evil.example/x.png'/></svg>",
            "contains scripts",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 1_900_000 + b"<script>", None),  # a PNG is not parsed as SVG
    ],
)
async def test_uploads_are_checked_by_their_content(client, tee, content, message):
    token = await log_in(client)
    response = await client.post(
        f"/admin/products/{tee.id}/images",
        data={"csrf_token": token},
        files={"image": ("photo.png", content, "image/png")},
    )
    if message is None:
        assert response.status_code == 303
        return
    assert response.status_code == 422 and message in response.text
    assert not await ProductImage.filter(product_id=tee.id).exclude(path__startswith="products/maglietta").exists()


def test_too_large_and_safe_svgs():
    with pytest.raises(FieldErrors) as refused:
        editing.image_type(PNG + b"\x00" * editing.MAX_IMAGE_BYTES)
    assert refused.value.errors == {"image": "too_large"}
    assert editing.image_type(b"<svg xmlns='http://www.w3.org/2000/svg'><path d='M0 0'/></svg>") == "svg"
    assert editing.image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"


async def test_a_too_large_upload_is_refused(client, tee):
    token = await log_in(client)
    response = await client.post(
        f"/admin/products/{tee.id}/images",
        data={"csrf_token": token},
        files={"image": ("big.png", PNG + b"\x00" * (2 * 1024 * 1024), "image/png")},
    )
    assert response.status_code in (413, 422)  # the app's body limit may answer first
    assert await ProductImage.filter(product_id=tee.id).count() == 1


def test_admin_routes_are_wired_or_added_by_the_tests():
    assert admin_pages.routes  # pages/admin/__init__.py will list products.routes
