// Filled in by its issue.
print("not implemented yet")
