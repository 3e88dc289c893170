from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from storefront.domain.models import PromotionKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Cart',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'cart', 'app': 'models', 'pk_attr': 'id', 'table_description': "A shopper's cart, found through the token in their signed session cookie."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CartLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cart', fields.ForeignKeyField('models.Cart', source_field='cart_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('variant', fields.ForeignKeyField('models.Variant', source_field='variant_id', db_constraint=True, to_field='id', related_name='cart_lines', on_delete=OnDelete.CASCADE)),
                ('quantity', fields.IntField()),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'cart_line', 'app': 'models', 'unique_together': (('cart', 'variant'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Promotion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=120)),
                ('code', fields.CharField(null=True, unique=True, max_length=40)),
                ('kind', fields.CharEnumField(description='ORDER_PERCENT: order_percent\nORDER_FIXED: order_fixed\nITEMS_PERCENT: items_percent\nITEMS_FIXED: items_fixed\nBUY_X_GET_Y: buy_x_get_y\nFREE_SHIPPING: free_shipping', enum_type=PromotionKind, max_length=20)),
                ('percent', fields.IntField(null=True)),
                ('amount', fields.IntField(null=True)),
                ('buy_quantity', fields.IntField(null=True)),
                ('get_quantity', fields.IntField(null=True)),
                ('free_shipping', fields.BooleanField(default=False)),
                ('product_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('category_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('exclude_sale_items', fields.BooleanField(default=False)),
                ('min_subtotal', fields.IntField(null=True)),
                ('min_quantity', fields.IntField(null=True)),
                ('starts_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('usage_limit', fields.IntField(null=True)),
                ('per_customer_limit', fields.IntField(null=True)),
                ('used_count', fields.IntField(default=0)),
                ('priority', fields.IntField(default=100)),
                ('exclusive', fields.BooleanField(default=False)),
                ('combines_with_order', fields.BooleanField(default=True)),
                ('combines_with_product', fields.BooleanField(default=True)),
                ('combines_with_shipping', fields.BooleanField(default=True)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'promotion', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An automatic promotion, or one behind a code. Evaluated by domain/promotions.py.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PromotionUse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('promotion', fields.ForeignKeyField('models.Promotion', source_field='promotion_id', db_constraint=True, to_field='id', related_name='uses', on_delete=OnDelete.RESTRICT)),
                ('customer', fields.CharField(max_length=254)),
                ('n', fields.IntField()),
                ('reference', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'promotion_use', 'app': 'models', 'unique_together': (('promotion', 'customer', 'n'),), 'pk_attr': 'id', 'table_description': 'One use of a promotion by an order. (promotion, customer, n) is unique, so two concurrent'},
            bases=['Model'],
        ),
    ]
