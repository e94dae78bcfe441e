"""Project templates: a project saved with its work, dates, milestones, budget and content plan, and new projects made from it at a start date."""
