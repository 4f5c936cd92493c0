from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('prefix', fields.CharField(unique=True, max_length=12)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('per_minute', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_key', 'app': 'models', 'pk_attr': 'id', 'table_description': "A third party's API key, stored only as a SHA-256 digest."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Dataset',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.CharField(max_length=16)),
                ('methodology', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('loaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('service_count', fields.IntField()),
            ],
            options={'table': 'dataset', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A single row: the version of the loaded dataset and the methodology it was graded by.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GradeChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(db_index=True, max_length=64)),
                ('old_grade', fields.CharField(null=True, max_length=1)),
                ('new_grade', fields.CharField(null=True, max_length=1)),
                ('old_score', fields.IntField(null=True)),
                ('new_score', fields.IntField(null=True)),
                ('reason', fields.TextField(unique=False)),
                ('dataset_version', fields.CharField(max_length=16)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'grade_change', 'app': 'models', 'pk_attr': 'id', 'table_description': "One row each time a service's grade or score changes, kept after the service is"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Service',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=80)),
                ('company', fields.CharField(max_length=120)),
                ('homepage', fields.CharField(max_length=2048)),
                ('status', fields.CharField(max_length=16)),
                ('discontinued_on', fields.DateField(null=True)),
                ('reviewed_on', fields.DateField()),
                ('summary', fields.TextField(unique=False)),
                ('score', fields.IntField(null=True)),
                ('grade', fields.CharField(null=True, max_length=1)),
                ('digest', fields.CharField(max_length=16)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'service', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CriterionAssessment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('models.Service', source_field='service_id', db_constraint=True, to_field='id', related_name='criteria', on_delete=OnDelete.CASCADE)),
                ('criterion', fields.CharField(max_length=64)),
                ('level', fields.CharField(max_length=16)),
                ('evidence', fields.TextField(unique=False)),
                ('sources', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'criterion_assessment', 'app': 'models', 'unique_together': (('service', 'criterion'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Domain',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('models.Service', source_field='service_id', db_constraint=True, to_field='id', related_name='domains', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(unique=True, max_length=253)),
            ],
            options={'table': 'domain', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MeetingPattern',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('service', fields.ForeignKeyField('models.Service', source_field='service_id', db_constraint=True, to_field='id', related_name='meeting_patterns', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('host', fields.CharField(null=True, max_length=255)),
                ('path', fields.CharField(max_length=512)),
                ('query', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'meeting_pattern', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
