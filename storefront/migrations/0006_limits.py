from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_order_cart')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RateLimitCount',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=80)),
                ('started', fields.BigIntField()),
                ('n', fields.IntField(default=0)),
            ],
            options={'table': 'rate_limit_count', 'app': 'models', 'unique_together': (('key', 'started'),), 'pk_attr': 'id', 'table_description': "Attempts (failed logins, unknown codes, ...) counted under a rate limit's key in one fixed window."},
            bases=['Model'],
        ),
    ]
