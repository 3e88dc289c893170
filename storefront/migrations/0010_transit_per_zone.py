from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_promotion_destinations')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='ShippingRate',
            options={'table': 'shipping_rate', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What a method costs and takes in a zone, up to a parcel weight (weight bands); free above a subtotal.'},
        ),
        ops.AddField(
            model_name='ShippingRate',
            name='max_days',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ShippingRate',
            name='min_days',
            field=fields.IntField(null=True),
        ),
    ]
