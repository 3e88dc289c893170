from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_transit_per_zone')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Order',
            name='language',
            field=fields.CharField(default='en', db_default='en', max_length=8),
        ),
        ops.AddField(
            model_name='Staff',
            name='language',
            field=fields.CharField(null=True, max_length=8),
        ),
    ]
