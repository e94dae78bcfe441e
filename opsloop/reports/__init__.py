"""Reports: templates of blocks, drafts frozen from live data on a schedule, review, publishing, archive and exports."""
