from opsloop.work.models import Item, State


def test_project_has_default_workflow_and_items_number_up(project, item, owner, workspace):
    from opsloop.work import actions
    from opsloop.work.schemas import ItemIn
    from tests.conftest import membership_of

    groups = list(State.objects.filter(project=project).values_list("group", flat=True))
    assert groups == ["backlog", "todo", "in_progress", "in_review", "done", "cancelled"]
    second = actions.do_create_item(
        actor=membership_of(owner, workspace), project=project, data=ItemIn(title="二")
    )
    assert (item.number, second.number) == (1, 2)
    assert second.ref == "D11-2"
    assert Item.objects.get(pk=item.pk).state.group == "todo"
