from django.db import migrations


def fill_project(apps, schema_editor):
    """Comments made before project comments existed were all on items."""
    Comment = apps.get_model("collab", "Comment")
    Item = apps.get_model("work", "Item")
    for item_id, project_id in Item.objects.filter(
        pk__in=Comment.objects.values("item_id")
    ).values_list("pk", "project_id"):
        Comment.objects.filter(item_id=item_id).update(project_id=project_id)


class Migration(migrations.Migration):
    dependencies = [("collab", "0003_threads_reactions_discussions"), ("work", "0001_initial")]

    operations = [migrations.RunPython(fill_project, migrations.RunPython.noop)]
