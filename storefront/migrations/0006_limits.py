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
        ops.AddField(
            model_name='Order',
            name='client_address',
            field=fields.CharField(default='', db_index=True, db_default='', max_length=64),
        ),
        # AddField records db_index but does not create the index: said here (SQLite and PostgreSQL alike).
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_order_client_address" ON "order" ("client_address")',
                   reverse_sql='DROP INDEX IF EXISTS "idx_order_client_address"'),
    ]
