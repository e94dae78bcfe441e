"""Item.assignees gets an explicit through model, ItemAssignee, that carries the item's project.

The model adopts the table Django made for the automatic through table
(work_item_assignees: id, item_id, user_id, unique (item_id, user_id), an index on each
foreign key): the first operation changes only Django's idea of it, so no row moves.
Then the project column is added empty, filled from each row's item in one UPDATE,
made required, and indexed. Reversing drops the column and its indexes and leaves the
rows as they were, which is again what the automatic through table expects.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_item_projects(apps, schema_editor):
    ItemAssignee = apps.get_model("work", "ItemAssignee")
    Item = apps.get_model("work", "Item")
    db = schema_editor.connection.alias
    # One correlated UPDATE, on SQLite as on PostgreSQL: no row passes through Python.
    ItemAssignee.objects.using(db).update(
        project_id=Subquery(Item.objects.filter(pk=OuterRef("item_id")).values("project_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0005_custom_field_values_by_type"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ItemAssignee",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "item",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="assignments",
                                to="work.item",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "work_item_assignees",
                        # The same columns, so the same name as the automatic table's.
                        "unique_together": {("item", "user")},
                    },
                ),
                migrations.AlterField(
                    model_name="item",
                    name="assignees",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="assigned_items",
                        through="work.ItemAssignee",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="itemassignee",
            name="project",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="work.project",
            ),
        ),
        migrations.RunPython(copy_item_projects, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="itemassignee",
            name="project",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="work.project",
            ),
        ),
        migrations.AddIndex(
            model_name="itemassignee",
            index=models.Index(fields=["project", "user", "item"], name="item_assignee_project_user"),
        ),
        migrations.AddIndex(
            model_name="itemassignee",
            index=models.Index(fields=["project", "item"], name="item_assignee_project_item"),
        ),
    ]
