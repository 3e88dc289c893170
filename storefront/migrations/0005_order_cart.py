from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_staff_audit_funnel')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Order',
            name='cart',
            field=fields.ForeignKeyField('models.Cart', source_field='cart_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.SET_NULL),
        ),
        # AddField records db_index but does not create the index: said here (SQLite and PostgreSQL alike).
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_order_cart_id" ON "order" ("cart_id")',
                   reverse_sql='DROP INDEX IF EXISTS "idx_order_cart_id"'),
    ]
