from tortoise import migrations
from tortoise.migrations import operations as ops
from storefront.domain.models import VatRegime
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_staff_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ShopSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('vat_oss', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'shop_settings', 'app': 'models', 'pk_attr': 'id', 'table_description': "The shop's own settings: one row, kept in the database so every app server reads the same."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Cart',
            name='country',
            field=fields.CharField(null=True, max_length=2),
        ),
        ops.AddField(
            model_name='Order',
            name='vat_regime',
            field=fields.CharEnumField(default=VatRegime.DOMESTIC, description='DOMESTIC: domestic\nOSS: oss\nEXPORT: export', enum_type=VatRegime, max_length=10),
        ),
    ]
