from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_languages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CategoryTranslation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('category', fields.ForeignKeyField('models.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='translations', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=8)),
                ('name', fields.CharField(default='', max_length=120)),
                ('slug', fields.CharField(null=True, max_length=120)),
                ('description', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'category_translation', 'app': 'models', 'unique_together': (('category', 'language'), ('slug', 'language')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OptionTranslation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('option', fields.ForeignKeyField('models.Option', source_field='option_id', db_constraint=True, to_field='id', related_name='translations', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=8)),
                ('name', fields.CharField(default='', max_length=60)),
            ],
            options={'table': 'option_translation', 'app': 'models', 'unique_together': (('option', 'language'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OptionValueTranslation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('option_value', fields.ForeignKeyField('models.OptionValue', source_field='option_value_id', db_constraint=True, to_field='id', related_name='translations', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=8)),
                ('name', fields.CharField(default='', max_length=60)),
            ],
            options={'table': 'option_value_translation', 'app': 'models', 'unique_together': (('option_value', 'language'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProductTranslation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_constraint=True, to_field='id', related_name='translations', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=8)),
                ('name', fields.CharField(default='', max_length=160)),
                ('slug', fields.CharField(null=True, max_length=160)),
                ('description', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'product_translation', 'app': 'models', 'unique_together': (('product', 'language'), ('slug', 'language')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
