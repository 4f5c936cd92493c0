from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_v2_evidence')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CriterionChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(db_index=True, max_length=64)),
                ('name', fields.CharField(null=True, max_length=80)),
                ('criterion', fields.CharField(max_length=64)),
                ('old_level', fields.CharField(null=True, max_length=16)),
                ('new_level', fields.CharField(null=True, max_length=16)),
                ('cause', fields.CharField(default='evidence', max_length=16)),
                ('old_methodology_version', fields.IntField(null=True)),
                ('new_methodology_version', fields.IntField(null=True)),
                ('dataset_version', fields.CharField(max_length=16)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'criterion_change', 'app': 'models', 'pk_attr': 'id', 'table_description': "One row each time a criterion's level moves on a service that stays (a service"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DatasetRelease',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.CharField(db_index=True, max_length=16)),
                ('methodology_version', fields.IntField()),
                ('service_count', fields.IntField()),
                ('loaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'dataset_release', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row per load that changed the dataset version: what ``since=<version>`` on the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Suggestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('service', fields.CharField(null=True, max_length=64)),
                ('criterion', fields.CharField(null=True, max_length=64)),
                ('host', fields.CharField(null=True, max_length=253)),
                ('message', fields.TextField(unique=False)),
                ('reply_to', fields.CharField(null=True, max_length=200)),
                ('dataset_version', fields.CharField(null=True, max_length=16)),
            ],
            options={'table': 'suggestion', 'app': 'models', 'pk_attr': 'id', 'table_description': "A reader's report of an error, or a service to rate, from the /suggest form. Shown"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='GradeChange',
            name='name',
            field=fields.CharField(null=True, max_length=80),
        ),
    ]
