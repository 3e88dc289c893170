from tortoise import migrations
from tortoise.migrations import operations as ops
from storefront.domain.models import TaxClass
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('parent', fields.ForeignKeyField('models.Category', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('slug', fields.CharField(unique=True, max_length=120)),
                ('name', fields.CharField(max_length=120)),
                ('description', fields.TextField(default='', unique=False)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'category', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Option',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=60)),
                ('name', fields.CharField(max_length=60)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'option', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An axis shoppers choose along, shared by the catalogue (Size, Colour) so it can be filtered on.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OptionValue',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('option', fields.ForeignKeyField('models.Option', source_field='option_id', db_constraint=True, to_field='id', related_name='values', on_delete=OnDelete.CASCADE)),
                ('slug', fields.CharField(max_length=60)),
                ('name', fields.CharField(max_length=60)),
                ('swatch', fields.CharField(null=True, max_length=7)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'option_value', 'app': 'models', 'unique_together': (('option', 'slug'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Product',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('category', fields.ForeignKeyField('models.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.RESTRICT)),
                ('slug', fields.CharField(unique=True, max_length=160)),
                ('name', fields.CharField(max_length=160)),
                ('description', fields.TextField(default='', unique=False)),
                ('tax_class', fields.CharEnumField(default=TaxClass.STANDARD, description='STANDARD: standard\nREDUCED: reduced\nSUPER_REDUCED: super_reduced', enum_type=TaxClass, max_length=20)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'product', 'app': 'models', 'indexes': [Index(fields=['category_id', 'active'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProductImage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='images', on_delete=OnDelete.CASCADE)),
                ('option_value', fields.ForeignKeyField('models.OptionValue', source_field='option_value_id', null=True, db_constraint=True, to_field='id', related_name='images', on_delete=OnDelete.SET_NULL)),
                ('path', fields.CharField(max_length=255)),
                ('alt', fields.CharField(default='', max_length=255)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'product_image', 'app': 'models', 'indexes': [Index(fields=['product_id', 'position'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Variant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='variants', on_delete=OnDelete.RESTRICT)),
                ('sku', fields.CharField(unique=True, max_length=64)),
                ('price', fields.IntField()),
                ('compare_at_price', fields.IntField(null=True)),
                ('weight_grams', fields.IntField(default=0)),
                ('stock', fields.IntField(default=0)),
                ('low_stock_threshold', fields.IntField(default=3)),
                ('active', fields.BooleanField(default=True)),
                ('position', fields.IntField(default=0)),
                ('option_values', fields.ManyToManyField('models.OptionValue', unique=True, db_constraint=True, through='variant_option_value', forward_key='optionvalue_id', backward_key='variant_id', related_name='variants', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'variant', 'app': 'models', 'indexes': [Index(fields=['product_id', 'active', 'price'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StockMovement',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('variant', fields.ForeignKeyField('models.Variant', source_field='variant_id', db_constraint=True, to_field='id', related_name='movements', on_delete=OnDelete.RESTRICT)),
                ('delta', fields.IntField()),
                ('reason', fields.CharField(max_length=30)),
                ('reference', fields.CharField(default='', max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'stock_movement', 'app': 'models', 'indexes': [Index(fields=['variant_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Append-only ledger: for every variant, the sum of deltas equals Variant.stock.'},
            bases=['Model'],
        ),
    ]
