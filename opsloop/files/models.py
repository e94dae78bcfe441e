"""Files: folders, stored files with versions, and share links."""
