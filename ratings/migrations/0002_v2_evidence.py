from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='CriterionAssessment',
            name='latest_period_end',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='CriterionAssessment',
            name='official_silent',
            field=fields.BooleanField(null=True, default=False),
        ),
        ops.AddField(
            model_name='GradeChange',
            name='cause',
            field=fields.CharField(null=True, default='evidence', max_length=16),
        ),
        ops.AddField(
            model_name='GradeChange',
            name='new_methodology_version',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='GradeChange',
            name='old_methodology_version',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Service',
            name='details',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
