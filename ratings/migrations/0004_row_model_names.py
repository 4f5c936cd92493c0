"""The rating domain's models renamed to ``...Row`` (``Dataset`` -> ``DatasetVersionRow``,
``MeetingPattern`` -> ``MeetingPatternRow``, ...): the migration state follows the class
names, the tables keep theirs, and no statement runs against the database.

Tortoise's own ``RenameModel`` cannot do this here: it renames a table named after its
model (``dataset``) along with the model, and it re-renders the models related to the new
name only, so a model with a foreign key leaves its old backward relation behind
("backward relation ... duplicates")."""

from copy import deepcopy

from tortoise import migrations
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_generator.state import State


class RenameModelKeepingTable(ops.RenameModel):
    def state_forward(self, app_label: str, state: State) -> None:
        # The models related to the old class are re-rendered too (their backward
        # relations named the old class).
        related = state._find_related_models(app_label, self.old_name)
        related.discard((app_label, self.old_name))
        model_state = state.models.pop((app_label, self.old_name))
        state.apps.unregister_model(app_label, self.old_name)
        model_state.name = self.new_name
        state.models[(app_label, self.new_name)] = model_state
        old_reference = f"{app_label}.{self.old_name}"
        for other in state.models.values():
            for name, field in other.fields.items():
                if isinstance(field, ForeignKeyFieldInstance) and field.model_name == old_reference:
                    renamed = deepcopy(field)
                    renamed.model_name = f"{app_label}.{self.new_name}"
                    other.fields[name] = renamed
        state._reload({*related, (app_label, self.new_name)})


class Migration(migrations.Migration):
    dependencies = [('models', '0003_change_log_and_suggestions')]

    initial = False

    operations = [
        RenameModelKeepingTable(old_name=old, new_name=f"{new}Row")
        for old, new in (
            ('Service', 'Service'),
            ('Domain', 'Domain'),
            ('MeetingPattern', 'MeetingPattern'),
            ('CriterionAssessment', 'CriterionAssessment'),
            ('GradeChange', 'GradeChange'),
            ('CriterionChange', 'CriterionChange'),
            ('DatasetRelease', 'DatasetRelease'),
            ('Dataset', 'DatasetVersion'),
        )
    ]
